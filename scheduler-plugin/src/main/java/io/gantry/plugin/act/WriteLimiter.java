package io.gantry.plugin.act;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A token bucket on API writes: {@code qps} tokens a second, at most {@code burst} saved up. Callers wait
 * for a token (binder and reporter threads), or ask without waiting (Events, which are dropped instead).
 */
public final class WriteLimiter {
    private final double perNano;
    private final double burst;
    private double tokens;
    private long last;

    public WriteLimiter(double qps, int burst) {
        if (!(qps > 0) || burst < 1) {
            throw new IllegalArgumentException("qps must be positive and burst at least 1, got " + qps + " and " + burst);
        }
        this.perNano = qps / TimeUnit.SECONDS.toNanos(1);
        this.burst = burst;
        this.tokens = burst;
        this.last = System.nanoTime();
    }

    /** Takes a token if one is there. */
    public synchronized boolean tryAcquire() {
        refill();
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /** Takes a token, waiting for one; false if interrupted. */
    public boolean acquire() {
        while (true) {
            long waitNanos;
            synchronized (this) {
                refill();
                if (tokens >= 1) {
                    tokens -= 1;
                    return true;
                }
                waitNanos = (long) Math.ceil((1 - tokens) / perNano);
            }
            LockSupport.parkNanos(waitNanos);
            if (Thread.currentThread().isInterrupted()) {
                return false;
            }
        }
    }

    private void refill() {
        long now = System.nanoTime();
        tokens = Math.min(burst, tokens + (now - last) * perNano);
        last = now;
    }
}
