package io.gantry.plugin.act;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A few worker threads running the latest task per key: a status that changes ten times before a
 * worker gets to it is written once, with its last value, so a backlog never grows beyond one task per
 * object.
 */
final class CoalescingWorkers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CoalescingWorkers.class);

    private final Map<String, Runnable> latest = new ConcurrentHashMap<>();
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
        if (closed) {
            return;
        }
        if (latest.put(key, task) == null) {
            keys.add(key);
        }
    }

    int backlog() {
        return latest.size();
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
            Runnable task = latest.remove(key);
            if (task == null) {
                continue;
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("{}: {}", key, e.toString());
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : threads) {
            t.interrupt();
        }
        latest.clear();
        keys.clear();
    }
}
