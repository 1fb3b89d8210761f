"""The lab hosts' simulated shell answers as an Ubuntu VM would, without running anything."""

from __future__ import annotations

from levante.lab.failures import HostFailure
from levante.lab.shell import CODENAME, simulate

COOKBOOK = (
    "sudo apt-get update && sudo apt-get install linux-image-generic-lts-$(lsb_release -sc) -y"
    " && sudo reboot"
)


def test_the_cookbook_command_succeeds_with_apt_output_and_a_reboot_message() -> None:
    outcome = simulate(COOKBOOK, "vm3")
    assert outcome.exit_status == 0
    assert "Reading package lists... Done" in outcome.stdout
    assert f"Setting up linux-image-generic-lts-{CODENAME} ..." in outcome.stdout
    assert "Rebooting vm3" in outcome.stdout
    assert outcome.stderr == ""


def test_a_failing_host_answers_every_command_with_its_status_and_stderr() -> None:
    outcome = simulate("echo hi", "vm1", HostFailure(7, "disk full"))
    assert (outcome.exit_status, outcome.stdout, outcome.stderr) == (7, "", "disk full\n")


def test_and_or_and_semicolon_follow_the_exit_status() -> None:
    assert simulate("false && echo no", "vm1").stdout == ""
    assert simulate("false && echo no", "vm1").exit_status == 1
    assert simulate("false || echo yes", "vm1").stdout == "yes\n"
    assert simulate("true || echo no; echo always", "vm1").stdout == "always\n"


def test_exit_stops_the_command_with_its_status() -> None:
    outcome = simulate("echo before; exit 3; echo after", "vm1")
    assert (outcome.exit_status, outcome.stdout) == (3, "before\n")


def test_sleep_takes_its_time_and_the_total_adds_up() -> None:
    assert simulate("sleep 1 && sleep 0.5", "vm1").seconds == 1.5


def test_hostname_and_substitutions_name_the_host() -> None:
    assert simulate("hostname", "vm9").stdout == "vm9\n"
    assert simulate("echo $(hostname) $(lsb_release -sc)", "vm9").stdout == f"vm9 {CODENAME}\n"


def test_sudo_is_accepted_and_unknown_commands_succeed_saying_so() -> None:
    outcome = simulate("sudo systemctl restart nginx", "vm1")
    assert outcome.exit_status == 0
    assert "simulated by the Levante lab" in outcome.stdout


def test_unbalanced_quotes_are_a_syntax_error() -> None:
    outcome = simulate("echo 'oops", "vm1")
    assert outcome.exit_status == 2
    assert "syntax error" in outcome.stderr
