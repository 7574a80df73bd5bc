package io.gantry.core.state;

import io.gantry.core.model.NodeSpec;
import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The change log names, for each change it keeps, the node whose version that change raised, in
 * order, also across the node table growing (which grows the log and must not claim the changes its
 * new slots never held), and refuses changes it no longer keeps.
 */
class NodeChangeLogTest {

    @Test
    void namesEveryKeptChangeInOrder() {
        SplittableRandom random = new SplittableRandom(3);
        ClusterState state = new ClusterState(2);
        List<Integer> touched = new ArrayList<>();
        List<Long> placed = new ArrayList<>();
        long id = 0;
        for (int step = 0; step < 6_000; step++) {
            long[] before = versions(state);
            int action = random.nextInt(10);
            if (action == 0 || state.nodeCount() == 0) {
                state.addNode(NodeSpec.of("n" + step, 64_000, 256L << 30, 8, "A100"));
            } else if (action < 7) {
                PlacementRequest pod = state.prepare(PodSpec.of(id++, "p" + id, ResourceRequest.gpuShare(1_000, 1L << 30, 300), Set.of()));
                int node = random.nextInt(state.nodeSlots());
                if (!state.isLive(node) || !state.fits(pod, node)) {
                    continue;
                }
                int gpu = 0;
                while (state.gpuFree(node, gpu) < 300) {
                    gpu++;
                }
                state.assume(pod, node, 1 << gpu);
                placed.add(pod.id());
            } else if (!placed.isEmpty()) {
                state.release(placed.remove(random.nextInt(placed.size())));
            } else {
                continue;
            }
            touched.add(changedSince(before, state));
        }
        assertThat(state.changeCount()).isEqualTo(touched.size());
        long oldestKept = state.oldestKeptChange();
        assertThat(state.changeCount() - oldestKept).as("changes kept").isGreaterThanOrEqualTo(Math.min(state.changeCount(), 1024L));
        for (long change = oldestKept; change < state.changeCount(); change++) {
            assertThat(state.changedNode(change)).as("change %d", change).isEqualTo(touched.get((int) change));
        }
        if (oldestKept > 0) {
            assertThatThrownBy(() -> state.changedNode(oldestKept - 1)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> state.changedNode(state.changeCount())).isInstanceOf(IllegalArgumentException.class);
    }

    private static long[] versions(ClusterState state) {
        long[] v = new long[state.nodeSlots() + 1];
        for (int node = 0; node < state.nodeSlots(); node++) {
            v[node] = state.version(node);
        }
        return v;
    }

    /** The one node whose version differs from {@code before} (a new node had version 0). */
    private static int changedSince(long[] before, ClusterState state) {
        int changed = -1;
        for (int node = 0; node < state.nodeSlots(); node++) {
            long old = node < before.length - 1 ? before[node] : 0;
            if (state.version(node) != old) {
                assertThat(changed).as("more than one node changed").isEqualTo(-1);
                changed = node;
            }
        }
        return changed;
    }
}
