#!/bin/sh
# python.sh -- print a python3 that has PyYAML and jsonschema (the validator's
# needs): the one on PATH if it does, else Debian's /usr/bin/python3.
for py in python3 /usr/bin/python3; do
	if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import yaml, jsonschema' 2>/dev/null; then
		command -v "$py"
		exit 0
	fi
done
echo "python.sh: no python3 with PyYAML and jsonschema (run scripts/deps.sh)" >&2
exit 1
