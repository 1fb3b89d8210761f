from mistral_lib import actions


class Shout(actions.Action):
    def __init__(self, word):
        self.word = word

    def run(self, context):
        return self.word.upper()
