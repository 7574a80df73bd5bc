package io.gantry.plugin.kube.realapi;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;

/**
 * kube-api-test's real kube-apiserver and etcd, behind {@code AutoCloseable} so that the default build,
 * which does not have kube-api-test, can load it by name. Compiled only under the Maven profile
 * {@code real-apiserver}.
 */
public final class KubeApiTestServer implements AutoCloseable {
    private final KubeAPIServer server;

    public KubeApiTestServer() {
        server = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig().withUpdateKubeConfig(false).build());
        server.start();
    }

    /** A kubeconfig for this API server. */
    public String kubeconfigYaml() {
        return server.getKubeConfigYaml();
    }

    @Override
    public void close() {
        server.stop();
    }
}
