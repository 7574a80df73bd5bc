package io.gantry.simulator.trace;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads an openb node list ({@code openb_node_list_gpu_node.csv}, {@code openb_node_list_all_node.csv}):
 * the columns {@code sn,cpu_milli,memory_mib,gpu,model}, found by header name in any order; other columns
 * are ignored. CPU-only nodes leave {@code model} empty.
 *
 * <p>Strict by default: the first malformed line throws {@link TraceFormatException}. A reader built with
 * {@code skipBadLines} skips such lines instead and reports how many, with the first few messages. A bad
 * header always throws, since no line can be read without it.
 */
public final class OpenbNodeReader {

    /** The header names this reader needs, in the order the openb files use. */
    public static final List<String> REQUIRED_COLUMNS = List.of("sn", "cpu_milli", "memory_mib", "gpu", "model");

    private final boolean skipBadLines;

    /** A strict reader. */
    public OpenbNodeReader() {
        this(false);
    }

    /** @param skipBadLines skip and count malformed lines instead of failing on the first */
    public OpenbNodeReader(boolean skipBadLines) {
        this.skipBadLines = skipBadLines;
    }

    /**
     * Reads every node of {@code file}, in file order.
     *
     * @throws TraceFormatException for a bad header, a malformed line (unless skipping) or a duplicate name
     * @throws NoSuchFileException  when the file does not exist; the message holds its absolute path
     * @throws IOException          when the file cannot be read
     */
    public TraceReadResult<TraceNode> read(Path file) throws IOException {
        return OpenbCsv.read(file, REQUIRED_COLUMNS, "sn", "node", skipBadLines, OpenbNodeReader::toNode);
    }

    private static TraceNode toNode(OpenbCsv.Row row) {
        String name = row.nonEmptyText("sn");
        long cpuMilli = row.longInRange("cpu_milli", 0, Long.MAX_VALUE);
        long memoryMib = row.longInRange("memory_mib", 0, Long.MAX_VALUE);
        int gpus = row.intInRange("gpu", 0, TraceNode.MAX_GPUS_PER_NODE);
        String model = row.text("model");
        return row.build(() -> new TraceNode(name, cpuMilli, memoryMib, gpus, model));
    }
}
