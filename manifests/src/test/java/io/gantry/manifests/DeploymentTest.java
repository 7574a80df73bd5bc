package io.gantry.manifests;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.gantry.cli.GantryCommand;
import io.gantry.plugin.cli.SchedulerCommand;
import io.gantry.plugin.config.SchedulerSettings;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Deployment runs what the code offers: its arguments parse with the {@code gantry} command's own
 * picocli model, its config path is the generated ConfigMap's file, its ports and probes are the
 * config's {@code metrics.port} and the endpoints {@code HealthServer} serves, and it runs locked down.
 */
class DeploymentTest {
    private final List<HasMetadata> installed = Manifests.installed();
    private final Deployment deployment = Manifests.one(installed, Deployment.class);
    private final PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    private final Container container = pod.getContainers().get(0);
    private final SchedulerSettings settings = Manifests.settings();

    @Test
    void theArgumentsAreAGantrySchedulerCommandLine() {
        assertThat(pod.getContainers()).hasSize(1);
        // the image's entrypoint is `java -jar /app/gantry.jar` (ContainerImageTest): no command here
        assertThat(container.getCommand()).isNullOrEmpty();
        ParseResult parsed = new CommandLine(new GantryCommand()).parseArgs(container.getArgs().toArray(String[]::new));
        assertThat(parsed.hasSubcommand()).isTrue();
        ParseResult scheduler = parsed.subcommand();
        assertThat(scheduler.commandSpec().userObject()).isInstanceOf(SchedulerCommand.class);
        assertThat(scheduler.unmatched()).isEmpty();
        assertThat(scheduler.matchedOptions()).extracting(o -> o.longestName()).containsExactly("--config");
        // in a pod: the in-cluster service account, not a kubeconfig; the identity from $POD_NAME
        assertThat(scheduler.hasMatchedOption("--kubeconfig")).isFalse();
        assertThat(scheduler.hasMatchedOption("--identity")).isFalse();
        EnvVar podName = container.getEnv().stream().filter(e -> e.getName().equals("POD_NAME")).findFirst().orElseThrow();
        assertThat(podName.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
    }

    @Test
    void theConfigFileIsTheGeneratedConfigMapsConfigYamlAndTheSchedulerAcceptsIt() {
        ParseResult scheduler = new CommandLine(new GantryCommand()).parseArgs(container.getArgs().toArray(String[]::new)).subcommand();
        Path config = scheduler.matchedOptionValue("--config", (Path) null);
        VolumeMount mount = container.getVolumeMounts().stream().filter(m -> config.startsWith(m.getMountPath())).findFirst().orElseThrow();
        assertThat(mount.getReadOnly()).isTrue();
        Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow();
        // kustomize's configMapGenerator makes ConfigMap gantry-config-HASH with key config.yaml and rewrites this name
        assertThat(volume.getConfigMap().getName()).isEqualTo(Manifests.kustomization().path("configMapGenerator").get(0).path("name").asText());
        assertThat(Path.of(mount.getMountPath()).relativize(config).toString()).isEqualTo(Manifests.configFile().getFileName().toString());

        // the real loader: unknown keys and invalid values would fail here as they would in the pod
        assertThat(settings.schedulerName()).isEqualTo("gantry");
        assertThat(settings.queues()).hasSize(2);
        assertThat(settings.pools().label()).isNotEmpty();
        assertThat(settings.leaderElection().enabled()).isTrue();
        assertThat(settings.leaderElection().namespace()).isEqualTo(deployment.getMetadata().getNamespace());
    }

    @Test
    void portsAndProbesAreTheConfiguredMetricsPortAndTheHealthEndpoints() {
        int port = settings.metrics().port();
        assertThat(port).isEqualTo(10259);
        assertThat(container.getPorts()).hasSize(1);
        ContainerPort metrics = container.getPorts().get(0);
        assertThat(metrics.getContainerPort()).isEqualTo(port);
        Probe liveness = container.getLivenessProbe();
        Probe readiness = container.getReadinessProbe();
        assertThat(liveness.getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(readiness.getHttpGet().getPath()).isEqualTo("/readyz");
        for (Probe probe : List.of(liveness, readiness)) {
            assertThat(resolve(probe.getHttpGet().getPort(), container)).isEqualTo(port);
        }
        Service service = Manifests.one(installed, Service.class);
        assertThat(service.getSpec().getPorts()).hasSize(1);
        ServicePort servicePort = service.getSpec().getPorts().get(0);
        assertThat(servicePort.getPort()).isEqualTo(port);
        assertThat(resolve(servicePort.getTargetPort(), container)).isEqualTo(port);
        assertThat(service.getSpec().getSelector()).isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(service.getSpec().getSelector());
    }

    @Test
    void twoReplicasWithLeaderElectionAndABudgetThatKeepsOne() {
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
        assertThat(settings.leaderElection().enabled()).isTrue();
        PodDisruptionBudget budget = Manifests.one(installed, PodDisruptionBudget.class);
        assertThat(budget.getSpec().getMinAvailable()).isEqualTo(new IntOrString(1));
        assertThat(budget.getSpec().getSelector().getMatchLabels()).isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        // Gantry's own pods are placed by the default scheduler, never by themselves
        assertThat(pod.getSchedulerName()).isNull();
    }

    @Test
    void theContainerRunsLockedDown() {
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(ContainerImageTest.IMAGE_USER);
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        var sc = container.getSecurityContext();
        assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
        assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
        assertThat(sc.getRunAsNonRoot()).isTrue();
        assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(sc.getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(sc.getPrivileged()).isNull();
        // the JVM writes only to /tmp, an emptyDir
        VolumeMount tmp = container.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp")).findFirst().orElseThrow();
        assertThat(pod.getVolumes().stream().filter(v -> v.getName().equals(tmp.getName())).findFirst().orElseThrow().getEmptyDir()).isNotNull();
        for (Map<String, ?> amounts : List.of(container.getResources().getRequests(), container.getResources().getLimits())) {
            assertThat(amounts).containsKeys("cpu", "memory");
        }
        assertThat(pod.getHostNetwork()).isNull();
        assertThat(pod.getHostPID()).isNull();
    }

    /** A named or numbered port of the container, as the kubelet and kube-proxy resolve it. */
    private static int resolve(IntOrString port, Container container) {
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        return container.getPorts().stream().filter(p -> port.getStrVal().equals(p.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no container port named " + port.getStrVal())).getContainerPort();
    }
}
