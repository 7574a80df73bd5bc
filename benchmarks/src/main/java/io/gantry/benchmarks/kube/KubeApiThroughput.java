package io.gantry.benchmarks.kube;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.gantry.plugin.config.SchedulerSettings;
import io.gantry.plugin.config.SettingsLoader;
import io.gantry.plugin.kube.ApiServerDispatcher;
import io.gantry.plugin.metrics.SchedulerMetrics;
import io.gantry.plugin.run.ClientSettings;
import io.gantry.plugin.run.GantryScheduler;
import org.HdrHistogram.Histogram;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The scheduler process end to end against fabric8's mock API server (real HTTP and watches, with the
 * binding semantics of {@link ApiServerDispatcher}): N GPU nodes, then M pending one-GPU pods created by
 * several client threads; reports pods bound per second and the latency from each pod's creation to the
 * watch event that shows it bound.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.gantry.benchmarks.kube.KubeApiThroughput 5000 10000</pre>
 *
 * The reference is kube-scheduler's own CI floor on 5,000 nodes: about 680 pods/s for plain pods and
 * 180 pods/s for extended-resource (GPU-style) pods. Client, scheduler and mock server share this
 * machine's cores, so the figure is a lower bound of the scheduler alone.
 */
public final class KubeApiThroughput {
    private KubeApiThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int nodeCount = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int podCount = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int producers = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
        java.util.logging.LogManager.getLogManager().reset();

        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new ApiServerDispatcher(), false);
        server.init();
        KubernetesClient client = server.createClient();
        ExecutorService pool = Executors.newFixedThreadPool(producers);

        long t0 = System.nanoTime();
        AtomicInteger made = new AtomicInteger();
        for (int p = 0; p < producers; p++) {
            final int first = p;
            pool.execute(() -> {
                for (int i = first; i < nodeCount; i += producers) {
                    client.nodes().resource(node("node-" + i)).create();
                    made.incrementAndGet();
                }
            });
        }
        waitFor(() -> made.get() == nodeCount, 600);
        System.out.printf("created %d nodes in %.1f s%n", nodeCount, (System.nanoTime() - t0) / 1e9);

        SchedulerSettings settings = SettingsLoader.parse("leaderElection: {enabled: false}\nmetrics: {port: 0}\n");
        GantryScheduler scheduler = new GantryScheduler(new KubernetesClientBuilder()
                .withConfig(ClientSettings.tune(client.getConfiguration(), settings)).build(), settings, "probe", new SchedulerMetrics());
        scheduler.start();
        waitFor(scheduler::leading, 300);

        Map<String, Long> createdAt = new ConcurrentHashMap<>();
        Histogram latencyMicros = new Histogram(TimeUnit.MINUTES.toMicros(30), 3);
        AtomicInteger bound = new AtomicInteger();
        AtomicLong lastBind = new AtomicLong();
        KubernetesClient watcher = server.createClient();
        SharedIndexInformer<Pod> informer = watcher.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
            }

            @Override
            public void onUpdate(Pod before, Pod after) {
                if (before.getSpec().getNodeName() == null && after.getSpec().getNodeName() != null) {
                    long now = System.nanoTime();
                    Long created = createdAt.get(after.getMetadata().getName());
                    if (created != null) {
                        synchronized (latencyMicros) {
                            latencyMicros.recordValue(Math.max(0, (now - created) / 1000));
                        }
                    }
                    lastBind.set(now);
                    bound.incrementAndGet();
                }
            }

            @Override
            public void onDelete(Pod pod, boolean unknown) {
            }
        });

        long start = System.nanoTime();
        AtomicInteger posted = new AtomicInteger();
        for (int p = 0; p < producers; p++) {
            final int first = p;
            pool.execute(() -> {
                for (int i = first; i < podCount; i += producers) {
                    String name = "pod-" + i;
                    createdAt.put(name, System.nanoTime());
                    client.pods().resource(pod(name)).create();
                    posted.incrementAndGet();
                }
            });
        }
        waitFor(() -> posted.get() == podCount, 1200);
        double createSeconds = (System.nanoTime() - start) / 1e9;
        boolean all = waitFor(() -> bound.get() == podCount, 1200);
        double seconds = (lastBind.get() - start) / 1e9;
        System.out.printf("created %d pending 1-GPU pods in %.1f s (%.0f pods/s)%n", podCount, createSeconds, podCount / createSeconds);
        System.out.printf("bound %d of %d pods in %.1f s: %.0f pods/s%n", bound.get(), podCount, seconds, bound.get() / seconds);
        System.out.printf("creation to bound (watch), ms: p50 %.1f  p90 %.1f  p99 %.1f  max %.1f%n",
                latencyMicros.getValueAtPercentile(50) / 1e3, latencyMicros.getValueAtPercentile(90) / 1e3,
                latencyMicros.getValueAtPercentile(99) / 1e3, latencyMicros.getMaxValue() / 1e3);
        informer.close();
        watcher.close();
        scheduler.close();
        pool.shutdownNow();
        client.close();
        server.destroy();
        System.exit(all ? 0 : 1);
    }

    private static Node node(String name) {
        Map<String, Quantity> allocatable = new HashMap<>();
        allocatable.put("cpu", new Quantity("96"));
        allocatable.put("memory", new Quantity("1Ti"));
        allocatable.put("nvidia.com/gpu", new Quantity("8"));
        return new NodeBuilder().withNewMetadata().withName(name).addToLabels("nvidia.com/gpu.product", "A100-SXM4-80GB")
                .endMetadata().withNewSpec().endSpec().withNewStatus().withAllocatable(allocatable).endStatus().build();
    }

    private static Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withNamespace("load").withName(name).endMetadata()
                .withNewSpec().withSchedulerName("gantry").addNewContainer().withName("main").withImage("pause")
                .withNewResources().addToRequests("cpu", new Quantity("1")).addToRequests("memory", new Quantity("4Gi"))
                .addToLimits("nvidia.com/gpu", new Quantity("1")).endResources().endContainer().endSpec().build();
    }

    private static boolean waitFor(java.util.function.BooleanSupplier condition, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }
}
