package io.gantry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code gantry simulate --snapshot} through the real command line, with the plugin found by ServiceLoader. */
class SnapshotCommandTest {
    private static final Path FIXTURE = Path.of("../scheduler-plugin/src/test/resources/snapshots/small-cluster.yaml");

    @Test
    void writesTheDecisionsJsonContract(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("what-if.json");
        int code = GantryCommand.execute("simulate", "--snapshot", FIXTURE.toString(), "--json", json.toString());
        assertThat(code).isZero();
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertThat(root.get("decisions")).hasSize(6);
        assertThat(root.get("evictions").isArray()).isTrue();
        JsonNode first = null;
        for (JsonNode d : root.get("decisions")) {
            if (d.get("name").asText().equals("train-big")) {
                first = d;
            }
        }
        assertThat(first).isNotNull();
        assertThat(first.get("namespace").asText()).isEqualTo("ml");
        assertThat(first.get("node").asText()).isEqualTo("h100-node");
        assertThat(first.get("gpus")).hasSize(4);
        assertThat(first.get("reason").asText()).isEmpty();
    }

    @Test
    void aMissingSnapshotIsAClearError() {
        assertThat(GantryCommand.execute("simulate", "--snapshot", "no-such-file.yaml")).isEqualTo(1);
    }
}
