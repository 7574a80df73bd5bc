package io.gantry.core.agent;

import io.gantry.core.state.ClusterState;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.gantry.core.Fixtures.hold;
import static io.gantry.core.Fixtures.node;
import static io.gantry.core.Fixtures.whole;
import static org.assertj.core.api.Assertions.assertThat;

class ShapeRoomTest {
    @Test
    void countsCopiesOverTheNodesAndSplitsOffTheKeptOnes() {
        ClusterState state = new ClusterState(8, 1);
        int a = state.addNode(node("a", 64, 8, "A100"));
        int b = state.addNode(node("b", 64, 4, "A100"));
        state.addNode(node("cpu", 64, 0, ""));
        boolean[] kept = new boolean[8];
        ShapeRoom room = new ShapeRoom(state.prepare(whole(1, 1000, 2)));
        room.catchUp(state, node -> kept[node]);
        assertThat(room.all()).isEqualTo(4 + 2);
        assertThat(room.unkept()).isEqualTo(6);

        hold(state, whole(10, 0, 3, "A100"), a, 0, 1, 2);
        room.catchUp(state, node -> kept[node]);
        assertThat(room.all()).as("5 GPUs left on a hold 2 copies").isEqualTo(2 + 2);

        kept[b] = true;
        room.keptChanged(state, b, true);
        assertThat(room.all()).isEqualTo(4);
        assertThat(room.unkept()).isEqualTo(2);

        state.release(10);
        room.catchUp(state, node -> kept[node]);
        assertThat(room.unkept()).isEqualTo(4);
        room.verify(state, node -> kept[node], "room");
    }

    /**
     * Random placements, releases and kept flags, with catch-ups at random moments (some only after the
     * change log has moved past them): the sums always equal a recount.
     */
    @Property(tries = 100)
    void catchingUpAlwaysEqualsARecount(@ForAll @Size(max = 200) List<@IntRange(min = 0, max = 999) Integer> ops) {
        ClusterState state = new ClusterState(4, 1);
        int nodes = 4;
        for (int i = 0; i < nodes; i++) {
            state.addNode(node("n" + i, 16, 4, "A100"));
        }
        boolean[] kept = new boolean[nodes];
        ShapeRoom room = new ShapeRoom(state.prepare(whole(1, 2000, 1)));
        ShapeRoom.KeptNodes view = node -> kept[node];
        room.catchUp(state, view);
        List<Long> placed = new ArrayList<>();
        long nextId = 100;
        for (int op : ops) {
            int node = op % nodes;
            if (op < 400) {
                int freeGpu = -1;
                for (int g = 0; g < 4 && freeGpu < 0; g++) {
                    if (state.gpuFree(node, g) == 1000) {
                        freeGpu = g;
                    }
                }
                if (freeGpu >= 0) {
                    hold(state, whole(nextId, 1000 * (1 + op % 3), 1, "A100"), node, freeGpu);
                    placed.add(nextId++);
                }
            } else if (op < 700 && !placed.isEmpty()) {
                state.release(placed.remove(op % placed.size()));
            } else if (op < 800) {
                kept[node] = !kept[node];
                room.keptChanged(state, node, kept[node]);
            }
            if (op % 5 == 0) {
                room.verify(state, view, "room after op " + op);
            }
        }
        room.verify(state, view, "room at the end");
    }
}
