#!/bin/sh
# Stand-in heron-core binary (test equipment): Heron's executor checks that the topology
# manager, stream manager and shell binaries exist before it starts; the stand-in executor
# plays their parts itself and never runs this.
echo "$0: part of the heron-executor stand-in's heron-core; not meant to run" >&2
exit 1
