"""A Levante process: wires the store, engine, executor and timers together.

``engine`` decides, ``store`` remembers, ``executor`` acts; this package is
the composition root that connects them in one process (embedded, server or
cluster node) without any of them importing the others.
"""

from levante.node.process import Node, NodeConfig

__all__ = ["Node", "NodeConfig"]
