#!/bin/sh
# oci-index.sh LAYOUT REF SOURCE REVISION CREATED ARCH[:...]... -- turn the per-platform
# manifests umoci tagged ARCH in LAYOUT into one multi-platform image: an image index blob
# listing them with their platforms, which index.json then names REF alone.
#
# This is the shape registries and `skopeo copy --all` expect of a multi-arch image; a
# runtime pulling REF picks its own platform's manifest.  The index is compact JSON with
# sorted keys, so the same manifests give the same index digest.
set -eu
layout=$1 ref=$2 source=$3 revision=$4 created=$5
shift 5
arches=""
for spec in "$@"; do arches="$arches ${spec%%:*}"; done
python3 - "$layout" "$ref" "$source" "$revision" "$created" $arches <<'PY'
import hashlib, json, os, sys
layout, ref, source, revision, created, *arches = sys.argv[1:]
top = json.load(open(os.path.join(layout, "index.json")))
by_tag = {m["annotations"]["org.opencontainers.image.ref.name"]: m for m in top["manifests"]}
manifests = []
for arch in arches:
    m = by_tag[arch]
    manifests.append({"mediaType": m["mediaType"], "digest": m["digest"], "size": m["size"],
                      "platform": {"architecture": arch, "os": "linux"}})
annotations = {"org.opencontainers.image.source": source, "org.opencontainers.image.version": ref,
               "org.opencontainers.image.revision": revision, "org.opencontainers.image.created": created}
index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
         "manifests": manifests, "annotations": annotations}
blob = json.dumps(index, sort_keys=True, separators=(",", ":")).encode()
digest = hashlib.sha256(blob).hexdigest()
with open(os.path.join(layout, "blobs", "sha256", digest), "wb") as f:
    f.write(blob)
top = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
       "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json", "digest": "sha256:" + digest,
                      "size": len(blob), "annotations": {"org.opencontainers.image.ref.name": ref}}]}
with open(os.path.join(layout, "index.json"), "w") as f:
    json.dump(top, f, sort_keys=True, separators=(",", ":"))
PY
