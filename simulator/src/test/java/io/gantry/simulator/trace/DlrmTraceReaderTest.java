package io.gantry.simulator.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

class DlrmTraceReaderTest {
    private static final String HEADER = "instance_sn,role,app_name,cpu_request,cpu_limit,gpu_request,gpu_limit,rdma_request,rdma_limit,"
            + "memory_request,memory_limit,disk_request,disk_limit,max_instance_per_node,creation_time,scheduled_time,deletion_time";

    @TempDir
    Path dir;

    private Path write(String... lines) throws IOException {
        Path file = dir.resolve(DlrmTraceReader.FILE_NAME);
        Files.writeString(file, HEADER + "\n" + String.join("\n", lines) + "\n");
        return file;
    }

    @Test
    void readsInstancesWithCapsAndTimesAndEmptyCreationMeansFromTheStart() throws IOException {
        write("instance_0,HN,app_0,12,12,1,1,25,25,120.0,120.0,640.0,800.0,8,,,",
                "instance_1,CN,app_22,64,64,0,0,1,1,320.0,320.0,544.0,640.0,-1,475.00000000000006,623.0,91730.0");
        TraceReadResult<DlrmInstance> result = new DlrmTraceReader(false).read(dir);
        assertThat(result.items()).containsExactly(
                new DlrmInstance("instance_0", "HN", "app_0", 12, 1, 120.0, 8, -1, -1),
                new DlrmInstance("instance_1", "CN", "app_22", 64, 0, 320.0, DlrmInstance.NO_CAP, 475_000, 91_730_000));
        assertThat(result.items().get(0).existsFromStart()).isTrue();
    }

    @Test
    void aBadFieldNamesTheFileTheLineAndTheColumn() throws IOException {
        Path file = write("instance_0,HN,app_0,12,12,1,1,25,25,120.0,120.0,640.0,800.0,8,,,",
                "instance_1,HN,app_0,12,12,1,1,25,25,120.0,120.0,640.0,800.0,0,,,");
        assertThatThrownBy(() -> new DlrmTraceReader(false).read(file)).isInstanceOf(TraceFormatException.class)
                .hasMessage(DlrmTraceReader.FILE_NAME + ":3: column max_instance_per_node: expected -1 (no cap) or at least 1, got 0");
    }

    @Test
    void otherBadFieldsAreNamedToo() throws IOException {
        write("instance_0,GN,app_0,12,12,1,1,25,25,120.0,120.0,640.0,800.0,8,,,");
        assertThatThrownBy(() -> new DlrmTraceReader(false).read(dir)).hasMessageContaining(":2: column role: expected HN or CN, got \"GN\"");
        write("instance_0,HN,app_0,12,12,1,1,25,25,lots,120.0,640.0,800.0,8,,,");
        assertThatThrownBy(() -> new DlrmTraceReader(false).read(dir)).hasMessageContaining(":2: column memory_request: expected a number");
        write("instance_0,HN,app_0,12,12,1,1,25,25,120.0,120.0,640.0,800.0,8,50.0,,10.0");
        assertThatThrownBy(() -> new DlrmTraceReader(false).read(dir)).hasMessageContaining(":2: column deletion_time: expected a time >= creation_time");
    }

    @Test
    void skipBadLinesCountsThemAndKeepsTheRest() throws IOException {
        write("instance_0,HN,app_0,12,12,1,1,25,25,120.0,120.0,640.0,800.0,8,,,",
                "instance_1,HN,app_0,x,12,1,1,25,25,120.0,120.0,640.0,800.0,8,,,",
                "instance_2,HN,app_0,12,12,1,1,25,25,120.0,120.0,640.0,800.0,8,,,");
        TraceReadResult<DlrmInstance> result = new DlrmTraceReader(true).read(dir);
        assertThat(result.items()).extracting(DlrmInstance::name).containsExactly("instance_0", "instance_2");
        assertThat(result.skippedLines()).isEqualTo(1);
        assertThat(result.firstErrors().get(0)).startsWith(DlrmTraceReader.FILE_NAME + ":3: column cpu_request:");
    }
}
