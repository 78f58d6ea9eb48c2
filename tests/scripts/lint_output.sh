# lint_output.sh -- `lint -o json` and `-o sarif` carry the same findings as the text:
# JSON objects with rule, severity, file, line, column, path, message and fix; SARIF
# 2.1.0 as GitHub code scanning takes it.  The official SARIF schema is not available
# offline, so the SARIF is checked against the structure the 2.1.0 schema requires
# (written here as a JSON Schema of its own) plus GitHub's upload rules: a
# driver name, results with ruleId, level, message.text and a physical location
# whose region starts at line 1 or later, and a ruleIndex that names the same rule.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
cd "$SRC"

inputs="-f testdata/lint/pdb-no-disruption.yaml -f testdata/lint/image-unpinned.yaml -f testdata/lint/grace-too-short.yaml"
# shellcheck disable=SC2086
"$FEAST" lint $inputs >"$TEST_TMP/text"
# shellcheck disable=SC2086
"$FEAST" lint $inputs -o json >"$TEST_TMP/json"
# shellcheck disable=SC2086
"$FEAST" lint $inputs -o sarif >"$TEST_TMP/sarif"
# A file name that must be escaped in a URI, read from stdin too.
cp testdata/lint/spread-disabled.yaml "$TEST_TMP/my spread.yaml"
"$FEAST" lint -f "$TEST_TMP/my spread.yaml" --zones 3 -o sarif >"$TEST_TMP/sarif-space"
"$FEAST" lint -f - --zones 3 -o sarif <testdata/lint/spread-disabled.yaml >"$TEST_TMP/sarif-stdin"
# No findings: an empty array and a run with no results.
"$FEAST" lint -f examples/featurestore-ha.yaml -o json >"$TEST_TMP/json-empty"
"$FEAST" lint -f examples/featurestore-ha.yaml -o sarif >"$TEST_TMP/sarif-empty"

"$PYTHON" - "$TEST_TMP" <<'PY' || fail "lint JSON or SARIF output"
import json, re, sys, jsonschema
d = sys.argv[1]
text = open(d + "/text").read()
found = re.findall(r"^(warning|note): (.+?):(\d+):(\d+): (\S+): (.*) \[([a-z-]+)\]$", text, re.M)
assert len(found) == 8, found
rows = json.load(open(d + "/json"))
assert [(r["severity"], r["file"], str(r["line"]), str(r["column"]), r["path"], r["message"], r["rule"])
        for r in rows] == [tuple(f) for f in found], rows
for r in rows:
    assert set(r) == {"rule", "severity", "file", "line", "column", "path", "message", "fix"}, r
    assert r["fix"]
assert json.load(open(d + "/json-empty")) == []

text_obj = {"type": "object", "required": ["text"], "properties": {"text": {"type": "string", "minLength": 1}}}
schema = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "$schema": {"type": "string", "format": "uri"},
        "version": {"const": "2.1.0"},
        "runs": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["tool"],
            "properties": {
                "tool": {"type": "object", "required": ["driver"], "properties": {"driver": {
                    "type": "object", "required": ["name"],
                    "properties": {
                        "name": {"type": "string", "minLength": 1},
                        "version": {"type": "string"},
                        "informationUri": {"type": "string"},
                        "rules": {"type": "array", "items": {
                            "type": "object", "required": ["id"],
                            "properties": {
                                "id": {"type": "string"},
                                "shortDescription": text_obj, "fullDescription": text_obj, "help": text_obj,
                                "defaultConfiguration": {"type": "object", "properties": {
                                    "level": {"enum": ["none", "note", "warning", "error"]}}},
                            }}},
                    }}}},
                "results": {"type": "array", "items": {
                    "type": "object", "required": ["message", "ruleId", "level", "locations"],
                    "properties": {
                        "ruleId": {"type": "string"},
                        "ruleIndex": {"type": "integer", "minimum": 0},
                        "level": {"enum": ["none", "note", "warning", "error"]},
                        "message": text_obj,
                        "locations": {"type": "array", "minItems": 1, "items": {
                            "type": "object", "required": ["physicalLocation"],
                            "properties": {"physicalLocation": {
                                "type": "object", "required": ["artifactLocation"],
                                "properties": {
                                    "artifactLocation": {"type": "object", "required": ["uri"],
                                                         "properties": {"uri": {"type": "string",
                                                                                "pattern": "^[A-Za-z0-9._~/%-]+$"}}},
                                    "region": {"type": "object", "required": ["startLine"], "properties": {
                                        "startLine": {"type": "integer", "minimum": 1},
                                        "startColumn": {"type": "integer", "minimum": 1}}},
                                }}}}},
                    }}},
            }}},
    },
}
def check(name, want):
    doc = json.load(open(d + "/" + name))
    jsonschema.validate(doc, schema)
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len({r["id"] for r in rules}) == len(rules) == 8, rules
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"], res
    assert len(run["results"]) == want, (name, run["results"])
    return run["results"]
res = check("sarif", 8)
for r, f in zip(res, found):
    loc = r["locations"][0]["physicalLocation"]
    assert (loc["artifactLocation"]["uri"], str(loc["region"]["startLine"]),
            str(loc["region"]["startColumn"]), r["ruleId"], r["level"]) == (f[1], f[2], f[3], f[6], f[0]), (r, f)
uri = check("sarif-space", 1)[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
assert uri.endswith("/my%20spread.yaml"), uri
assert check("sarif-stdin", 1)[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "-"
check("sarif-empty", 0)
PY
echo "lint -o json and -o sarif agree with the text"
