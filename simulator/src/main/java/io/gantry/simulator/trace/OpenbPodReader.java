package io.gantry.simulator.trace;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Reads an openb pod list ({@code openb_pod_list_*.csv}). Columns are found by header name in any order;
 * unknown columns are ignored. Two layouts exist in the published trace:
 * <ul>
 *   <li>the full one, {@code name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,
 *       creation_time,deletion_time,scheduled_time};</li>
 *   <li>the five-column one of the {@code multigpu} variants, {@code name,cpu_milli,memory_mib,num_gpu,gpu_milli},
 *       which has no times, so its pods can be placed but not replayed in time.</li>
 * </ul>
 * Any of the {@link #OPTIONAL_COLUMNS} may be missing; an absent or empty time reads as
 * {@link TracePod#UNKNOWN_TIME}, an absent or empty {@code gpu_spec} as "any model", an absent {@code qos}
 * or {@code pod_phase} as "".
 *
 * <p>Strict by default: the first malformed line throws {@link TraceFormatException}. A reader built with
 * {@code skipBadLines} skips such lines instead and reports how many, with the first few messages. A bad
 * header always throws, since no line can be read without it.
 */
public final class OpenbPodReader {

    /** The header names this reader needs, in the order the openb files use. */
    public static final List<String> REQUIRED_COLUMNS = List.of("name", "cpu_milli", "memory_mib", "num_gpu", "gpu_milli");
    /** The header names this reader uses when present. */
    public static final List<String> OPTIONAL_COLUMNS = List.of(
            "gpu_spec", "qos", "pod_phase", "creation_time", "deletion_time", "scheduled_time");

    private final boolean skipBadLines;

    /** A strict reader. */
    public OpenbPodReader() {
        this(false);
    }

    /** @param skipBadLines skip and count malformed lines instead of failing on the first */
    public OpenbPodReader(boolean skipBadLines) {
        this.skipBadLines = skipBadLines;
    }

    /**
     * Reads every pod of {@code file}, in file order.
     *
     * @throws TraceFormatException for a bad header, a malformed line (unless skipping) or a duplicate name
     * @throws NoSuchFileException  when the file does not exist; the message holds its absolute path
     * @throws IOException          when the file cannot be read
     */
    public TraceReadResult<TracePod> read(Path file) throws IOException {
        return OpenbCsv.read(file, REQUIRED_COLUMNS, "name", "pod", skipBadLines, OpenbPodReader::toPod);
    }

    private static TracePod toPod(OpenbCsv.Row row) {
        String name = row.nonEmptyText("name");
        long cpuMilli = row.longInRange("cpu_milli", 0, Long.MAX_VALUE);
        long memoryMib = row.longInRange("memory_mib", 0, Long.MAX_VALUE);
        int numGpu = row.intInRange("num_gpu", 0, TracePod.MAX_GPUS_PER_POD);
        int gpuMilli = row.intInRange("gpu_milli", 0, TracePod.MILLI_PER_GPU);
        Set<String> gpuSpec = row.nameSet("gpu_spec");
        String qos = row.text("qos");
        String phase = row.text("pod_phase");
        long creationTime = row.secondsOrUnknown("creation_time");
        long deletionTime = row.secondsOrUnknown("deletion_time");
        long scheduledTime = row.secondsOrUnknown("scheduled_time");
        return row.build(() -> new TracePod(name, cpuMilli, memoryMib, numGpu, gpuMilli, gpuSpec,
                qos, phase, creationTime, deletionTime, scheduledTime));
    }
}
