package io.gantry.plugin.run;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.gantry.plugin.config.SchedulerSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The API client the scheduler runs with: from a kubeconfig file or the in-cluster service account, tuned for a scheduler. */
public final class ClientSettings {
    private ClientSettings() {
    }

    /**
     * {@code maxConcurrentRequests} from the config (fabric8 allows 64), and no retries inside the client:
     * the binder retries 5xx itself and must see a 409 or 429 at once (fabric8 would retry a 429 with
     * backoff for up to a minute and a half, hiding a PodDisruptionBudget's answer).
     */
    public static Config tune(Config base, SchedulerSettings settings) {
        return new ConfigBuilder(base)
                .withMaxConcurrentRequests(settings.client().maxConcurrentRequests())
                .withRequestRetryBackoffLimit(0)
                .build();
    }

    /** A client from {@code kubeconfig}, or from the usual places (in-cluster service account, ~/.kube/config) when null. */
    public static KubernetesClient client(Path kubeconfig, SchedulerSettings settings) throws IOException {
        Config base = kubeconfig == null ? Config.autoConfigure(null) : Config.fromKubeconfig(Files.readString(kubeconfig));
        return new KubernetesClientBuilder().withConfig(tune(base, settings)).build();
    }
}
