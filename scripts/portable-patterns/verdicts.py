"""Python's verdicts for portable-patterns.test.ts, through jsonschema as a subscriber would
validate (its `pattern` is `re.search`): patterns and strings come as lines of UTF-16 code units
(see regex-engines.ts), one line of 1s and 0s goes back per pattern, or `!` and why `re` cannot
read it."""
import re
import struct
import sys

from jsonschema import Draft202012Validator


def decode(line):
    units = [int(unit) for unit in line.split(",")] if line else []
    # surrogatepass: a lone surrogate stays one, a pair becomes its character.
    return struct.pack(f"<{len(units)}H", *units).decode("utf-16-le", "surrogatepass")


lines = sys.stdin.read().split("\n")
pattern_count, text_count = map(int, lines[0].split())
patterns = [decode(line) for line in lines[1 : 1 + pattern_count]]
texts = [decode(line) for line in lines[1 + pattern_count : 1 + pattern_count + text_count]]
for pattern in patterns:
    validator = Draft202012Validator({"type": "string", "pattern": pattern})
    try:
        print("".join("1" if validator.is_valid(text) else "0" for text in texts))
    except re.error as error:
        print(f"!{error}")
