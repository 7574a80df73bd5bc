package io.gantry.simulator.trace;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads the DLRM inference trace ({@code disaggregated_DLRM_trace.csv} of Alibaba's
 * cluster-trace-gpu-v2025): {@code instance_sn,role,app_name,cpu_request,cpu_limit,gpu_request,gpu_limit,
 * rdma_request,rdma_limit,memory_request,memory_limit,disk_request,disk_limit,max_instance_per_node,
 * creation_time,scheduled_time,deletion_time}. Columns are found by header name; the limits, RDMA, disk
 * and scheduled time are read by nobody and not checked beyond the line's width.
 *
 * <p>Strict by default, like the openb readers: the first malformed line throws a
 * {@link TraceFormatException} naming the file, the line and the column; with {@code skipBadLines} such
 * lines are skipped and counted. Empty times mean before the trace start (creation: the instance exists
 * from the start) or after its end (deletion: it never leaves).
 */
public final class DlrmTraceReader {
    /** The file name inside the trace folder. */
    public static final String FILE_NAME = "disaggregated_DLRM_trace.csv";
    public static final List<String> REQUIRED_COLUMNS = List.of("instance_sn", "role", "app_name", "cpu_request", "gpu_request",
            "memory_request", "max_instance_per_node", "creation_time", "deletion_time");

    private final boolean skipBadLines;

    public DlrmTraceReader(boolean skipBadLines) {
        this.skipBadLines = skipBadLines;
    }

    /**
     * Reads {@code file}, or {@link #FILE_NAME} inside it when it is a folder.
     *
     * @throws TraceFormatException for a bad header or (unless skipping) a malformed line
     * @throws NoSuchFileException  when the file does not exist
     */
    public TraceReadResult<DlrmInstance> read(Path file) throws IOException {
        Path csv = java.nio.file.Files.isDirectory(file) ? file.resolve(FILE_NAME) : file;
        return OpenbCsv.read(csv, REQUIRED_COLUMNS, "instance_sn", "instance", skipBadLines, DlrmTraceReader::toInstance);
    }

    private static DlrmInstance toInstance(OpenbCsv.Row row) {
        String name = row.nonEmptyText("instance_sn");
        String role = row.nonEmptyText("role");
        String app = row.nonEmptyText("app_name");
        int cpu = row.intInRange("cpu_request", 0, 4096);
        int gpus = row.intInRange("gpu_request", 0, TracePod.MAX_GPUS_PER_POD);
        double memory = row.decimalInRange("memory_request", 0, 1 << 20);
        int cap = row.intInRange("max_instance_per_node", -1, 1 << 20);
        long created = row.millisOrUnknown("creation_time");
        long deleted = row.millisOrUnknown("deletion_time");
        return row.build(() -> new DlrmInstance(name, role, app, cpu, gpus, memory, cap, created, deleted));
    }
}
