package io.gantry.plugin.kube;

import java.lang.reflect.InvocationTargetException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real kube-apiserver and etcd for the integration tests, started by {@code io.fabric8:kube-api-test}
 * (class {@code io.gantry.plugin.kube.realapi.KubeApiTestServer}, compiled only under the Maven profile
 * {@code real-apiserver}, which adds that dependency). kube-api-test downloads the binaries on first use
 * into {@code ~/.kubeapitest}; without internet access that fails, and so does this, within
 * {@code gantry.realapi.startSeconds} (default 180) rather than hanging.
 */
final class RealApiServer implements AutoCloseable {
    private static final String IMPLEMENTATION = "io.gantry.plugin.kube.realapi.KubeApiTestServer";
    private static RealApiServer shared;
    private static IllegalStateException failed;

    private final AutoCloseable server;
    private final String kubeconfigYaml;

    private RealApiServer(AutoCloseable server, String kubeconfigYaml) {
        this.server = server;
        this.kubeconfigYaml = kubeconfigYaml;
    }

    /** The one API server of this JVM, started on first use and stopped when the JVM exits. */
    static synchronized RealApiServer start() {
        if (failed != null) {
            throw new IllegalStateException("no kube-apiserver (it failed to start for an earlier test): " + failed.getMessage(), failed);
        }
        if (shared == null) {
            try {
                shared = launch();
            } catch (IllegalStateException e) {
                failed = e;
                throw e;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    shared.server.close();
                } catch (Exception ignored) {
                    // the JVM is going anyway
                }
            }, "kube-api-test-stop"));
        }
        return shared;
    }

    private static RealApiServer launch() {
        Class<?> type;
        try {
            type = Class.forName(IMPLEMENTATION);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("gantry.test.api=real needs io.fabric8:kube-api-test: run with the Maven profile "
                    + "-Preal-apiserver (mvn -B verify -pl scheduler-plugin -am -Preal-apiserver)", e);
        }
        Duration limit = Duration.ofSeconds(Long.getLong("gantry.realapi.startSeconds", 180));
        CompletableFuture<AutoCloseable> starting = CompletableFuture.supplyAsync(() -> {
            try {
                return (AutoCloseable) type.getConstructor().newInstance();
            } catch (InvocationTargetException e) {
                throw new IllegalStateException(e.getCause().toString(), e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        });
        AutoCloseable server;
        try {
            server = starting.get(limit.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            starting.cancel(true);
            throw new IllegalStateException("kube-api-test did not start a kube-apiserver within " + limit.toSeconds()
                    + " s (it downloads kube-apiserver and etcd on first use; is the internet reachable?)");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof IllegalStateException && e.getCause().getCause() != null
                    ? e.getCause().getCause() : e.getCause();
            throw new IllegalStateException("kube-api-test could not start a kube-apiserver (it downloads kube-apiserver and etcd "
                    + "on first use into ~/.kubeapitest; without internet access put them there, see its README): " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while kube-api-test started", e);
        }
        try {
            return new RealApiServer(server, (String) type.getMethod("kubeconfigYaml").invoke(server));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    String kubeconfigYaml() {
        return kubeconfigYaml;
    }

    /** Stays up for the next test class; stopped when the JVM exits. */
    @Override
    public void close() {
    }
}
