package io.gantry.benchmarks.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.okhttp.OkHttpClientFactory;
import io.gantry.plugin.config.SchedulerSettings;
import io.gantry.plugin.config.SettingsLoader;
import io.gantry.plugin.kube.InMemoryApiServer;
import io.gantry.plugin.metrics.SchedulerMetrics;
import io.gantry.plugin.run.ClientSettings;
import io.gantry.plugin.run.CompletionPool;
import io.gantry.plugin.run.GantryScheduler;
import org.HdrHistogram.Histogram;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * The scheduler process end to end against {@link InMemoryApiServer} (real HTTP, real watches, the binding
 * semantics of kube-apiserver): N GPU nodes (8 GPUs each), then M pending one-GPU pods; reports pods bound per
 * second and the latency from each pod's creation to the watch event that shows it bound.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.gantry.benchmarks.kube.KubeApiThroughput [nodes] [pods] [mode] [producers] [rate]
 *   nodes      default 5000
 *   pods       default 10000
 *   mode       during: pods are created while the scheduler runs (default)
 *              before: all pods exist before the scheduler starts, which then lists and binds them
 *   producers  threads creating pods, default 4
 *   rate       pods created per second in 'during' mode, default 0: as fast as the producers can
 * -Dgantry.bench.http=okhttp runs the scheduler on fabric8's OkHttp client instead of the JDK's;
 * -Dgantry.bench.config='binder: {threads: 32};client: {qps: 5000}' adds config lines (';' separates them).
 * </pre>
 *
 * The load generator creates pods from prepared JSON over keep-alive sockets ({@link PlainHttpConnection}) and watches them with one HTTP
 * watch, so that little of the machine goes to the harness. Client, scheduler and API server share the
 * machine's cores: at the end the CPU time of each thread group is printed, to show where it went. The
 * reference is kube-scheduler's own CI floor on 5,000 nodes: about 680 pods/s for plain pods and 180 pods/s
 * for extended-resource pods.
 */
public final class KubeApiThroughput {
    private static final ObjectMapper JSON = new ObjectMapper();

    private KubeApiThroughput() {
    }

    public static void main(String[] args) throws Exception {
        CompletionPool.widen(); // as the gantry command does
        int nodeCount = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int podCount = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        boolean before = args.length > 2 && "before".equals(args[2]);
        if (args.length > 2 && !before && !"during".equals(args[2])) {
            System.err.println("mode must be 'during' or 'before', got " + args[2]);
            System.exit(2);
        }
        int producers = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        double rate = args.length > 4 ? Double.parseDouble(args[4]) : 0;
        System.out.printf("%d nodes, %d one-GPU pods created %s the scheduler starts%s, %d producers; load average at start: %s%n",
                nodeCount, podCount, before ? "before" : "while", rate > 0 ? " at " + rate + " pods/s" : "", producers, loadAverage());

        InMemoryApiServer server = new InMemoryApiServer(4 * podCount + 1000);
        server.recordCalls(false);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newFixedThreadPool(1, named("load-http"))).build(); // only for the watch
        ExecutorService pool = Executors.newFixedThreadPool(producers, named("load-producer"));

        long t0 = System.nanoTime();
        run(pool, producers, nodeCount, server.url(), (c, i) -> created(c, "/api/v1/nodes", node("node-" + i)));
        System.out.printf("created %d nodes in %.1f s%n", nodeCount, (System.nanoTime() - t0) / 1e9);

        Map<String, Long> createdAt = new ConcurrentHashMap<>(podCount * 2);
        Histogram latencyMicros = new Histogram(TimeUnit.MINUTES.toMicros(30), 3);
        AtomicInteger bound = new AtomicInteger();
        AtomicLong firstBind = new AtomicLong();
        AtomicLong lastBind = new AtomicLong();
        Thread watcher = watchBinds(http, server.url(), createdAt, latencyMicros, bound, firstBind, lastBind);

        String extra = System.getProperty("gantry.bench.config", "");
        SchedulerSettings settings = SettingsLoader.parse("leaderElection: {enabled: false}\nmetrics: {port: 0}\n" + extra.replace(';', '\n'));
        if (!extra.isEmpty()) {
            System.out.println("scheduler config added: " + extra);
        }
        Config config = Config.fromKubeconfig(kubeconfig(server.url()));
        config.setOnlyHttpWatches(true);
        String httpClient = System.getProperty("gantry.bench.http", "jdk");
        GantryScheduler scheduler = new GantryScheduler(new KubernetesClientBuilder()
                .withHttpClientFactory("okhttp".equals(httpClient) ? new OkHttpClientFactory() : new JdkHttpClientFactory())
                .withConfig(ClientSettings.tune(config, settings)).build(), settings, "probe", new SchedulerMetrics());
        System.out.println("scheduler's HTTP client: " + httpClient);

        long start;
        double createSeconds;
        if (before) {
            start = System.nanoTime();
            createPods(pool, producers, podCount, server.url(), createdAt, 0);
            createSeconds = (System.nanoTime() - start) / 1e9;
            start = System.nanoTime();
            scheduler.start();
        } else {
            scheduler.start();
            waitFor(scheduler::leading, 300);
            start = System.nanoTime();
            createPods(pool, producers, podCount, server.url(), createdAt, rate);
            createSeconds = (System.nanoTime() - start) / 1e9;
        }
        boolean all = waitFor(() -> bound.get() == podCount, 600);
        double seconds = (lastBind.get() - start) / 1e9;
        System.out.printf("created %d pending 1-GPU pods in %.1f s (%.0f pods/s)%n", podCount, createSeconds, podCount / createSeconds);
        System.out.printf("bound %d of %d pods in %.1f s %s: %.0f pods/s (first to last bind: %.0f pods/s)%n", bound.get(), podCount,
                seconds, before ? "from the scheduler's start" : "from the first creation", bound.get() / seconds,
                (bound.get() - 1) / ((lastBind.get() - firstBind.get()) / 1e9));
        synchronized (latencyMicros) {
            System.out.printf("creation to bound (watch), ms: p50 %.1f  p90 %.1f  p99 %.1f  max %.1f%n",
                    latencyMicros.getValueAtPercentile(50) / 1e3, latencyMicros.getValueAtPercentile(90) / 1e3,
                    latencyMicros.getValueAtPercentile(99) / 1e3, latencyMicros.getMaxValue() / 1e3);
        }
        System.out.println("load average at end: " + loadAverage());
        printCpuByThreadGroup();
        watcher.interrupt();
        scheduler.close();
        pool.shutdownNow();
        server.close();
        System.exit(all ? 0 : 1);
    }

    private interface Task {
        void run(PlainHttpConnection connection, int i) throws Exception;
    }

    /** Runs {@code task(0..count-1)} split over {@code producers} threads, one connection each, and waits. */
    private static void run(ExecutorService pool, int producers, int count, String url, Task task) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(producers);
        for (int p = 0; p < producers; p++) {
            final int first = p;
            pool.execute(() -> {
                try (PlainHttpConnection connection = new PlainHttpConnection(URI.create(url))) {
                    for (int i = first; i < count; i += producers) {
                        task.run(connection, i);
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                } finally {
                    done.countDown();
                }
            });
        }
        done.await();
    }

    /** Pod i is created at {@code i / rate} seconds from now (as soon as possible when rate is 0). */
    private static void createPods(ExecutorService pool, int producers, int podCount, String url,
                                   Map<String, Long> createdAt, double rate) throws InterruptedException {
        long t0 = System.nanoTime();
        run(pool, producers, podCount, url, (c, i) -> {
            if (rate > 0) {
                long due = t0 + (long) (i * 1e9 / rate);
                for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
            }
            String name = "pod-" + i;
            createdAt.put(name, System.nanoTime());
            created(c, "/api/v1/namespaces/load/pods", pod(name));
        });
    }

    private static void created(PlainHttpConnection connection, String path, String body) throws IOException {
        int code = connection.post(path, body);
        if (code != 201) {
            throw new IllegalStateException("POST " + path + ": HTTP " + code);
        }
    }

    /** One raw watch on pods: each pod's first event with a node name is its bind. */
    private static Thread watchBinds(HttpClient http, String url, Map<String, Long> createdAt, Histogram latencyMicros,
                                     AtomicInteger bound, AtomicLong firstBind, AtomicLong lastBind) throws IOException, InterruptedException {
        HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/namespaces/load/pods?watch=true"))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        Thread t = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (!line.contains("\"nodeName\"")) {
                        continue;
                    }
                    long now = System.nanoTime();
                    JsonNode event = JSON.readTree(line);
                    if (!"MODIFIED".equals(event.path("type").asText())) {
                        continue;
                    }
                    Long created = createdAt.remove(event.path("object").path("metadata").path("name").asText());
                    if (created != null) {
                        synchronized (latencyMicros) {
                            latencyMicros.recordValue(Math.max(0, (now - created) / 1000));
                        }
                        firstBind.compareAndSet(0, now);
                        lastBind.set(now);
                        bound.incrementAndGet();
                    }
                }
            } catch (IOException e) {
                // closed at the end
            }
        }, "load-watch");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** CPU seconds of the live threads, grouped by name without digits, largest first. */
    private static void printCpuByThreadGroup() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, Long> byGroup = new TreeMap<>();
        long total = 0;
        for (long id : threads.getAllThreadIds()) {
            long cpu = threads.getThreadCpuTime(id);
            var info = threads.getThreadInfo(id);
            if (cpu <= 0 || info == null) {
                continue;
            }
            String group = info.getThreadName().replaceAll("\\d+", "N");
            byGroup.merge(group, cpu, Long::sum);
            total += cpu;
        }
        long all = total;
        System.out.printf("CPU of live threads: %.1f s (GC and JIT threads included; exited threads not)%n", all / 1e9);
        byGroup.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(15)
                .forEach(e -> System.out.printf("  %5.1f%%  %6.2f s  %s%n", 100.0 * e.getValue() / all, e.getValue() / 1e9, e.getKey()));
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static java.util.concurrent.ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static String kubeconfig(String url) {
        return """
                apiVersion: v1
                kind: Config
                clusters: [{name: bench, cluster: {server: "%s"}}]
                contexts: [{name: bench, context: {cluster: bench, user: bench}}]
                current-context: bench
                users: [{name: bench, user: {token: bench}}]
                """.formatted(url);
    }

    private static String node(String name) {
        return """
                {"apiVersion":"v1","kind":"Node","metadata":{"name":"%s","labels":{"nvidia.com/gpu.product":"A100-SXM4-80GB"}},\
                "spec":{},"status":{"allocatable":{"cpu":"96","memory":"1Ti","nvidia.com/gpu":"8","pods":"110"},\
                "capacity":{"cpu":"96","memory":"1Ti","nvidia.com/gpu":"8","pods":"110"}}}""".formatted(name);
    }

    private static String pod(String name) {
        return """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s","namespace":"load"},\
                "spec":{"schedulerName":"gantry","containers":[{"name":"main","image":"pause",\
                "resources":{"requests":{"cpu":"1","memory":"4Gi"},"limits":{"nvidia.com/gpu":"1"}}}]}}""".formatted(name);
    }

    private static boolean waitFor(BooleanSupplier condition, int seconds) throws InterruptedException {
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
