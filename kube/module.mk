# kube/module.mk -- kubectl-lite, the kube client's test driver (built for the tests, never installed).
KUBE_LITE := $(O)/kubectl-lite
KUBE_LITE_OBJ := $(O)/tests/kubectl-lite/kubectl-lite.o

$(KUBE_LITE): $(KUBE_LITE_OBJ) $(O)/libfeast.a
	$(quiet) LINK $@
	$(Q)$(CC) $(CFLAGS) $(ALL_LDFLAGS) -o $@ $(KUBE_LITE_OBJ) $(O)/libfeast.a $(LIBS)

scripts: $(KUBE_LITE)

-include $(KUBE_LITE_OBJ:.o=.d)
