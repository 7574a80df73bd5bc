package io.gantry.plugin.act;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class CoalescingWorkersTest {
    @Test
    void aTaskSubmittedWhileItsKeyRunsWaitsAndOnlyTheLatestRunsAfterIt() throws InterruptedException {
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        CountDownLatch lastDone = new CountDownLatch(1);
        AtomicInteger runningNow = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        List<String> ran = new CopyOnWriteArrayList<>();
        try (CoalescingWorkers workers = new CoalescingWorkers("test", 4)) {
            workers.submit("podgroup/ns/g", () -> {
                enter(runningNow, mostAtOnce);
                firstStarted.countDown();
                await(releaseFirst);
                ran.add("pending");
                runningNow.decrementAndGet();
            });
            assertThat(firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
            // two newer statuses while the first write is in flight: three idle workers could take them
            workers.submit("podgroup/ns/g", () -> {
                enter(runningNow, mostAtOnce);
                ran.add("scheduled 1");
                runningNow.decrementAndGet();
            });
            workers.submit("podgroup/ns/g", () -> {
                enter(runningNow, mostAtOnce);
                ran.add("scheduled 2");
                runningNow.decrementAndGet();
                lastDone.countDown();
            });
            Thread.sleep(100); // give an idle worker the chance to run the key twice at once, as it used to
            releaseFirst.countDown();
            assertThat(lastDone.await(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(mostAtOnce.get()).as("writes of one key at once").isEqualTo(1);
        assertThat(ran).containsExactly("pending", "scheduled 2");
    }

    @Test
    void differentKeysRunAtTheSameTime() throws InterruptedException {
        CountDownLatch bothStarted = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        try (CoalescingWorkers workers = new CoalescingWorkers("test", 2)) {
            for (String key : List.of("a", "b")) {
                workers.submit(key, () -> {
                    bothStarted.countDown();
                    await(release);
                });
            }
            assertThat(bothStarted.await(10, TimeUnit.SECONDS)).as("both keys running together").isTrue();
            release.countDown();
        }
    }

    private static void enter(AtomicInteger runningNow, AtomicInteger mostAtOnce) {
        int now = runningNow.incrementAndGet();
        mostAtOnce.accumulateAndGet(now, Math::max);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
