package io.gantry.core.agent;

import io.gantry.core.model.PodSpec;
import io.gantry.core.state.ClusterState;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static io.gantry.core.Fixtures.cpuOnly;
import static io.gantry.core.Fixtures.hold;
import static io.gantry.core.Fixtures.node;
import static io.gantry.core.Fixtures.share;
import static io.gantry.core.Fixtures.whole;
import static org.assertj.core.api.Assertions.assertThat;

class ShapeWakeIndexTest {
    private final ClusterState state = new ClusterState(8, 1);
    private final int a100 = state.addNode(node("a100", 64, 8, "A100"));
    private final int t4 = state.addNode(node("t4", 64, 4, "T4"));
    private final int cpu = state.addNode(node("cpu", 64, 0, ""));
    private final ShapeWakeIndex index = new ShapeWakeIndex();
    private int nextId;

    private ShapeClass shape(PodSpec example) {
        ShapeClass s = new ShapeClass(nextId++, example, state.prepare(example));
        index.add(s);
        return s;
    }

    private List<ShapeClass> listed(int node) {
        ShapeClass[] out = new ShapeClass[Math.max(1, index.size())];
        int n = index.collect(state, node, out);
        return Arrays.asList(Arrays.copyOf(out, n));
    }

    @Test
    void aNodeListsTheClassesItsFreeGpusAndModelCouldHold() {
        ShapeClass cpuPod = shape(cpuOnly(1, 1000));
        ShapeClass oneAnyModel = shape(whole(2, 1000, 1));
        ShapeClass fourA100 = shape(whole(3, 1000, 4, "A100"));
        ShapeClass oneT4 = shape(whole(4, 1000, 1, "T4"));
        ShapeClass shareT4OrA100 = shape(share(5, 1000, 300, "T4", "A100"));

        assertThat(listed(a100)).containsExactlyInAnyOrder(cpuPod, oneAnyModel, fourA100, shareT4OrA100);
        assertThat(listed(t4)).containsExactlyInAnyOrder(cpuPod, oneAnyModel, oneT4, shareT4OrA100);
        assertThat(listed(cpu)).containsExactly(cpuPod);

        // 5 of 8 A100s taken: 3 whole GPUs left, so the 4-GPU class is not listed; a 0.8 share left on one
        hold(state, whole(10, 0, 5, "A100"), a100, 0, 1, 2, 3, 4);
        assertThat(listed(a100)).containsExactlyInAnyOrder(cpuPod, oneAnyModel, shareT4OrA100);
        // every T4 holds 0.8: no whole GPU, the 0.3 share still fits
        for (int g = 0; g < 4; g++) {
            hold(state, share(20 + g, 0, 800, "T4"), t4, g);
        }
        assertThat(listed(t4)).containsExactlyInAnyOrder(cpuPod);
    }

    @Test
    void aRemovedClassIsNoLongerListedAndTheOthersKeepTheirPlaces() {
        ShapeClass first = shape(whole(1, 1000, 1));
        ShapeClass second = shape(whole(2, 2000, 1));
        ShapeClass third = shape(whole(3, 3000, 1, "A100", "T4"));
        index.remove(first);
        assertThat(index.isFiled(first)).isFalse();
        assertThat(index.size()).isEqualTo(2);
        assertThat(listed(a100)).containsExactlyInAnyOrder(second, third);
        index.remove(third);
        assertThat(listed(t4)).containsExactly(second);
        index.add(first);
        index.remove(second);
        assertThat(listed(t4)).containsExactly(first);
        index.remove(second); // not filed: a no-op
        assertThat(index.size()).isEqualTo(1);
    }

    @Test
    void theFirstGangWithinTheRoomComesOutInQueueOrderWhateverItsNeed() {
        io.gantry.core.queue.QueueBook queues = new io.gantry.core.queue.QueueBook();
        ShapeClass s = new ShapeClass(0, whole(1, 1000, 2), state.prepare(whole(1, 1000, 2)));
        GangRecord[] gangs = new GangRecord[6];
        int[] needs = {7, 3, 9, 3, 1, 5};
        for (int i = 0; i < gangs.length; i++) {
            gangs[i] = new GangRecord("g" + i);
            gangs[i].setOrderForTest(0, i);
            gangs[i].roomNeed = needs[i];
            s.addGang(gangs[i], i == 5);
        }
        assertThat(s.gangsWaiting()).isEqualTo(6);
        assertThat(s.firstGangWithin(0, 0, queues)).isNull();
        assertThat(s.firstGangWithin(1, 1, queues)).isSameAs(gangs[4]);
        assertThat(s.firstGangWithin(3, 3, queues)).as("g1 and g3 need 3; g1 arrived first").isSameAs(gangs[1]);
        assertThat(s.firstGangWithin(9, 9, queues)).isSameAs(gangs[0]);
        assertThat(s.firstGangWithin(3, 5, queues)).as("g5 may use kept room, and comes after g1").isSameAs(gangs[1]);
        s.removeGang(gangs[1]);
        s.removeGang(gangs[3]);
        assertThat(gangs[1].roomShape).isNull();
        assertThat(s.firstGangWithin(4, 5, queues)).isSameAs(gangs[4]);
        s.removeGang(gangs[4]);
        assertThat(s.firstGangWithin(4, 5, queues)).as("only g5 fits, by the kept room").isSameAs(gangs[5]);
        assertThat(s.firstGangWithin(4, 4, queues)).isNull();
        s.letAllGangsUseKeptRoom();
        assertThat(s.firstGangWithin(0, 7, queues)).isSameAs(gangs[0]);
        assertThat(gangs[0].roomMayUseKept).isTrue();
        assertThat(s.gangsWaiting()).isEqualTo(3);
    }

    @Test
    void aClassForgetsWhatItKnewWhenTooManyNodesGainedRoom() {
        ShapeClass s = new ShapeClass(0, whole(1, 1000, 1), state.prepare(whole(1, 1000, 1)));
        s.noteNode(1);
        assertThat(s.nodesNotedCount).as("nothing known yet: nothing noted").isZero();
        s.knowUnfit(5);
        s.noteNode(1);
        s.noteNode(1);
        assertThat(s.nodesNotedCount).isEqualTo(1);
        for (int node = 2; node <= ShapeClass.MAX_NODES_NOTED + 1; node++) {
            s.noteNode(node);
        }
        assertThat(s.unfitKnown).isFalse();
        assertThat(s.nodesNotedCount).isZero();
    }
}
