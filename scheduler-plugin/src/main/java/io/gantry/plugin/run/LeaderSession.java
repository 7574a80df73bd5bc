package io.gantry.plugin.run;

import io.gantry.core.agent.SchedulerAgent;
import io.gantry.core.intake.IntakeQueue;
import io.gantry.core.intake.SchedulerEvent;
import io.gantry.plugin.act.Binder;
import io.gantry.plugin.act.Evictor;
import io.gantry.plugin.feed.EventSink;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * One term as leader: a fresh intake queue and agent on their own thread, with the binder and evictor
 * that send results back into that intake. While the feed replays the cluster into it, the agent only
 * applies events; it schedules once the replay is done, so nothing is placed before capacity is known.
 * {@link #close()} stops everything at once: no decision and no bind leave after it.
 */
final class LeaderSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderSession.class);

    private final IntakeQueue intake;
    private SchedulerAgent agent;
    private Binder binder;
    private Evictor evictor;
    private AgentRunner runner;
    private volatile boolean replayed;
    private volatile boolean stopped;
    private volatile Throwable crashed;
    private final IdleStrategy putIdle = new SleepingIdleStrategy(TimeUnit.MICROSECONDS.toNanos(50));

    /** Blocks (backpressure) until the intake takes the event, or the session stops and the event no longer matters. */
    final EventSink sink = this::put;

    LeaderSession(int intakeCapacity) {
        this.intake = new IntakeQueue(intakeCapacity);
    }

    IntakeQueue intake() {
        return intake;
    }

    void start(SchedulerAgent schedulerAgent, Binder sessionBinder, Evictor sessionEvictor) {
        this.agent = schedulerAgent;
        this.binder = sessionBinder;
        this.evictor = sessionEvictor;
        Agent loop = new Agent() {
            @Override
            public int doWork() {
                return replayed ? agent.doWork() : intake.drain(agent::onEvent, 4096);
            }

            @Override
            public String roleName() {
                return agent.roleName();
            }
        };
        ErrorHandler errors = e -> {
            crashed = e;
            LOG.error("scheduler agent failed", e);
        };
        runner = new AgentRunner(new BackoffIdleStrategy(100, 10, TimeUnit.MICROSECONDS.toNanos(1),
                TimeUnit.MILLISECONDS.toNanos(1)), errors, null, loop);
        AgentRunner.startOnThread(runner);
    }

    /** The replay is complete: scheduling may start. */
    void replayed() {
        replayed = true;
    }

    boolean healthy() {
        return !stopped && crashed == null && runner != null && !runner.isClosed();
    }

    private void put(SchedulerEvent event) {
        while (!stopped) {
            if (intake.put(event, putIdle, 100, TimeUnit.MILLISECONDS)) {
                return;
            }
        }
    }

    @Override
    public void close() {
        stopped = true;
        if (runner != null) {
            runner.close();
        }
        if (binder != null) {
            binder.close();
        }
        if (evictor != null) {
            evictor.close();
        }
    }
}
