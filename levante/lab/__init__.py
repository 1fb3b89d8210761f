"""The lab: a small simulated tenant on loopback to try Levante without a cloud.

``levante lab up`` starts SSH hosts and a gateway (pure-Python SSH servers),
a Keystone + Nova stand-in listing those hosts as servers, and an SMTP sink;
it writes the matching ``input.json``, ``clouds.yaml`` and ``env.sh``.
"""
