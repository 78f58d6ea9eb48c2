# kinds.sh -- the kinds tests/cluster/up.sh records and reset.sh restores (sourced).
# CLUSTER_KINDS: the cluster-scoped kinds a test may create; namespaces hold the rest.
# STORE_KINDS: the namespaced kinds of a store, for what a test left in "default".
CLUSTER_KINDS=namespaces,clusterroles.rbac.authorization.k8s.io
CLUSTER_KINDS=$CLUSTER_KINDS,clusterrolebindings.rbac.authorization.k8s.io
CLUSTER_KINDS=$CLUSTER_KINDS,customresourcedefinitions.apiextensions.k8s.io
CLUSTER_KINDS=$CLUSTER_KINDS,priorityclasses.scheduling.k8s.io,storageclasses.storage.k8s.io
CLUSTER_KINDS=$CLUSTER_KINDS,persistentvolumes,ingressclasses.networking.k8s.io
CLUSTER_KINDS=$CLUSTER_KINDS,runtimeclasses.node.k8s.io
CLUSTER_KINDS=$CLUSTER_KINDS,mutatingwebhookconfigurations.admissionregistration.k8s.io
CLUSTER_KINDS=$CLUSTER_KINDS,validatingwebhookconfigurations.admissionregistration.k8s.io
CLUSTER_KINDS=$CLUSTER_KINDS,validatingadmissionpolicies.admissionregistration.k8s.io
CLUSTER_KINDS=$CLUSTER_KINDS,validatingadmissionpolicybindings.admissionregistration.k8s.io
STORE_KINDS=featurestores.feast.dev,deployments.apps,services,configmaps,secrets
STORE_KINDS=$STORE_KINDS,serviceaccounts,roles.rbac.authorization.k8s.io
STORE_KINDS=$STORE_KINDS,rolebindings.rbac.authorization.k8s.io
STORE_KINDS=$STORE_KINDS,horizontalpodautoscalers.autoscaling,poddisruptionbudgets.policy
STORE_KINDS=$STORE_KINDS,scaledobjects.keda.sh,servicemonitors.monitoring.coreos.com
STORE_KINDS=$STORE_KINDS,routes.route.openshift.io,cronjobs.batch,jobs.batch
STORE_KINDS=$STORE_KINDS,persistentvolumeclaims,leases.coordination.k8s.io
