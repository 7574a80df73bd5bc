package io.gantry.plugin.act;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A few worker threads running the latest task per key: a status that changes ten times before a
 * worker gets to it is written once, with its last value, so a backlog never grows beyond one task per
 * object. Tasks of one key never run at once: a task submitted while its key's previous one runs waits
 * until that one is done, so two writes of one object cannot land in the wrong order (an older status
 * overwriting a newer one).
 */
final class CoalescingWorkers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CoalescingWorkers.class);

    private final Object lock = new Object();
    /** The task waiting per key; its key is in {@link #keys} unless the key is running. */
    private final Map<String, Runnable> latest = new HashMap<>();
    private final Set<String> running = new HashSet<>();
    private final LinkedBlockingQueue<String> keys = new LinkedBlockingQueue<>();
    private final Thread[] threads;
    private volatile boolean closed;

    CoalescingWorkers(String name, int threadCount) {
        threads = new Thread[threadCount];
        for (int i = 0; i < threadCount; i++) {
            threads[i] = new Thread(this::work, name + "-" + i);
            threads[i].setDaemon(true);
            threads[i].start();
        }
    }

    void submit(String key, Runnable task) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            boolean queued = latest.put(key, task) != null;
            if (!queued && !running.contains(key)) {
                keys.add(key);
            }
        }
    }

    int backlog() {
        synchronized (lock) {
            return latest.size();
        }
    }

    private void work() {
        while (!closed) {
            String key;
            try {
                key = keys.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (key == null) {
                continue;
            }
            Runnable task;
            synchronized (lock) {
                task = latest.remove(key);
                if (task == null) {
                    continue;
                }
                running.add(key);
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("{}: {}", key, e.toString());
            } finally {
                synchronized (lock) {
                    running.remove(key);
                    if (latest.containsKey(key) && !closed) {
                        keys.add(key); // submitted while it ran: its turn now
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            latest.clear();
            keys.clear();
        }
        for (Thread t : threads) {
            t.interrupt();
        }
    }
}
