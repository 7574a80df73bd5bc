package io.gantry.core.queue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ParkedUnitsTest {
    private static final class Unit extends QueuedUnit {
        Unit(int priority, long arrivalSeq) {
            this.priority = priority;
            this.arrivalSeq = arrivalSeq;
        }

        @Override
        public long gpuMilliAsked() {
            return 0;
        }

        @Override
        public long cpuMilliAsked() {
            return 0;
        }

        @Override
        public String name() {
            return "u" + arrivalSeq + "/p" + priority;
        }
    }

    private static final Comparator<Unit> QUEUE_ORDER =
            Comparator.<Unit>comparingInt(u -> -u.priority).thenComparingLong(u -> u.arrivalSeq);

    private static List<QueuedUnit> walk(ParkedUnits parked, int bucket) {
        List<QueuedUnit> out = new ArrayList<>();
        for (QueuedUnit u = parked.first(bucket); u != null; u = ParkedUnits.next(u)) {
            out.add(u);
        }
        return out;
    }

    @Test
    void parkKeepsTheOrderOfParkingAndParkInOrderTheQueueOrder() {
        ParkedUnits parked = new ParkedUnits();
        Unit late = new Unit(0, 9);
        Unit early = new Unit(0, 1);
        Unit urgent = new Unit(5, 20);
        parked.park(late, 0);
        parked.park(early, 0);
        assertThat(walk(parked, 0)).containsExactly(late, early);
        parked.parkInOrder(late = new Unit(0, 9), 1);
        parked.parkInOrder(early = new Unit(0, 1), 1);
        parked.parkInOrder(urgent, 1);
        Unit middle = new Unit(0, 5);
        parked.parkInOrder(middle, 1);
        assertThat(walk(parked, 1)).containsExactly(urgent, early, middle, late);
        assertThat(parked.count(1)).isEqualTo(4);
        parked.unpark(early);
        assertThat(walk(parked, 1)).containsExactly(urgent, middle, late);
        assertThat(parked.isInOrder(1)).isTrue();
    }

    /** Random parks in queue order and unparks: each bucket always holds exactly its units, in queue order. */
    @Property(tries = 200)
    void bucketsParkedInOrderStaySortedThroughParksAndUnparks(
            @ForAll @Size(max = 300) List<@IntRange(min = 0, max = 99) Integer> ops) {
        ParkedUnits parked = new ParkedUnits();
        List<List<Unit>> model = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        long seq = 0;
        for (int op : ops) {
            int bucket = op % 3;
            List<Unit> units = model.get(bucket);
            if (op < 30 && !units.isEmpty()) {
                Unit gone = units.remove((op * 7) % units.size());
                parked.unpark(gone);
                assertThat(gone.where()).isEqualTo(QueuedUnit.IDLE);
            } else {
                // a unit parked again comes back with its old arrival, others arrive new
                Unit unit = new Unit(op % 4, op < 60 && seq > 0 ? (op * 31L) % seq : seq);
                seq++;
                parked.parkInOrder(unit, bucket);
                units.add(unit);
            }
            units.sort(QUEUE_ORDER);
            assertThat(walk(parked, bucket)).containsExactlyElementsOf(units);
            assertThat(parked.count(bucket)).isEqualTo(units.size());
        }
        assertThat(parked.size()).isEqualTo(model.stream().mapToInt(List::size).sum());
    }
}
