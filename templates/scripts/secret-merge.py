# secret-merge.py -- complete feature_store.yaml at pod start with values mounted
# from Secrets and ConfigMaps, so that rendered manifests never carry them.
#
# Run by the feast-init (or feast-config) init container as
#     python3 - FEATURE_STORE_YAML OP SECTION ARG FILE [OP SECTION ARG FILE]...
# with one of these operations (every one takes three operands):
#     merge SECTION STORETYPE FILE  merge the YAML mapping in FILE into SECTION; a
#                                   `type` or `registry_type` in FILE must equal
#                                   STORETYPE (`-`: FILE decides, e.g. batch_engine)
#     pick  SECTION KEYS FILE       copy only KEYS (comma-separated) of that mapping
#     set   SECTION KEY FILE        SECTION[KEY] = the YAML value held in FILE
#     set?  SECTION KEY FILE        the same, nothing when FILE does not exist
#     engine SECTION DRIVER_SA FILE merge FILE (with its `type`) into SECTION; a
#                                   spark_application without a service_account
#                                   runs its driver as DRIVER_SA
# Values are copied as YAML values: `$` + `{VAR}` references stay as written, for
# Feast to expand from the container's environment.  (No dollar-brace in this file:
# Flux would then have to be kept off every Deployment that inlines it.)  The file is replaced
# atomically and keeps its mode.  Any problem exits 1 with a one-line reason.
import os
import sys

import yaml


def fail(message):
    sys.stderr.write("feast secret merge: %s\n" % message)
    sys.exit(1)


def load(path):
    try:
        with open(path) as stream:
            return yaml.safe_load(stream)
    except OSError as err:
        fail("cannot read %s: %s" % (path, err.strerror))
    except yaml.YAMLError as err:
        fail("%s is not valid YAML: %s" % (path, str(err).replace("\n", " ")))


def section(config, name):
    value = config.setdefault(name, {})
    if value is None:
        value = config[name] = {}
    if not isinstance(value, dict):
        fail("%s in feature_store.yaml is not a mapping" % name)
    return value


def mapping(path):
    value = load(path)
    if not isinstance(value, dict):
        fail("%s must hold a YAML mapping of settings" % path)
    return value


def do_merge(config, name, store_type, path):
    target = section(config, name)
    params = mapping(path)
    if store_type != "-":
        for key in ("type", "registry_type"):
            if key in params:
                if params[key] != store_type:
                    fail("%s sets %s: %s, but the FeatureStore says %s"
                         % (path, key, params[key], store_type))
                del params[key]
    target.update(params)


def do_pick(config, name, keys, path):
    params = mapping(path)
    target = section(config, name)
    for key in keys.split(","):
        if key in params:
            target[key] = params[key]


def do_engine(config, name, driver_sa, path):
    target = section(config, name)
    target.update(mapping(path))
    # The operator's setRepoConfigBatchEngine: the driver runs as the ServiceAccount
    # its batch-engine RBAC is bound to, unless the ConfigMap names another.
    account = target.get("service_account")
    if target.get("type") == "spark_application" and not (isinstance(account, str) and account):
        target["service_account"] = driver_sa


def do_set(config, name, key, path, optional):
    if optional and not os.path.exists(path):
        return
    section(config, name)[key] = load(path)


def main(argv):
    if len(argv) < 2 or (len(argv) - 2) % 4:
        fail("usage: secret-merge FEATURE_STORE_YAML [OP SECTION ARG FILE]...")
    target = argv[1]
    config = load(target)
    if not isinstance(config, dict):
        fail("%s is not a YAML mapping" % target)
    for i in range(2, len(argv), 4):
        op, name, arg, path = argv[i:i + 4]
        if op == "merge":
            do_merge(config, name, arg, path)
        elif op == "pick":
            do_pick(config, name, arg, path)
        elif op == "engine":
            do_engine(config, name, arg, path)
        elif op in ("set", "set?"):
            do_set(config, name, arg, path, op == "set?")
        else:
            fail("unknown operation %r" % op)
    tmp = target + ".tmp"
    with open(tmp, "w") as stream:
        yaml.safe_dump(config, stream, default_flow_style=False, sort_keys=False)
    os.chmod(tmp, os.stat(target).st_mode & 0o777)
    os.replace(tmp, target)


main(sys.argv)
