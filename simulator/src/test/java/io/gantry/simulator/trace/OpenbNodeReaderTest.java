package io.gantry.simulator.trace;

import static io.gantry.simulator.trace.Fixtures.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OpenbNodeReaderTest {

    private static final String HEADER = "sn,cpu_milli,memory_mib,gpu,model";
    private static final String GOOD_LINE = "node-1,96000,393216,8,G2";

    @TempDir
    Path tempDir;

    @Test
    void readsNodesIntoExactRecordsWithCpuOnlyNodesHavingNoModel() throws IOException {
        TraceReadResult<TraceNode> result = new OpenbNodeReader().read(fixture("nodes_good.csv"));

        assertThat(result.items()).containsExactly(
                new TraceNode("node-a", 96000, 786432, 8, "V100M32"),
                new TraceNode("node-b", 104000, 524288, 2, "T4"),
                new TraceNode("node-c", 32000, 262144, 0, ""));
        assertThat(result.skippedLines()).isZero();
    }

    @Test
    void findsColumnsByNameInAnyOrder() throws IOException {
        Path file = Fixtures.write(tempDir, "nodes.csv", List.of("model,gpu,rack,sn,memory_mib,cpu_milli", "T4,4,r7,n,393216,96000"));

        assertThat(new OpenbNodeReader().read(file).items()).containsExactly(new TraceNode("n", 96000, 393216, 4, "T4"));
    }

    static Stream<Arguments> malformedLines() {
        return Stream.of(
                Arguments.of("n,96k,393216,8,G2", "nodes.csv:3: column cpu_milli: expected a non-negative integer, got \"96k\""),
                Arguments.of("n,96000,393216,17,G2", "nodes.csv:3: column gpu: expected an integer 0..16, got \"17\""),
                Arguments.of("n,96000,393216,8", "nodes.csv:3: expected 5 columns as in the header, got 4"),
                Arguments.of("n,96000,393216,8,", "nodes.csv:3: column model: expected a GPU model for a node with 8 GPUs, got \"\""),
                Arguments.of("n,96000,393216,0,T4", "nodes.csv:3: column model: expected \"\" for a node without GPUs, got \"T4\""),
                Arguments.of(",96000,393216,0,", "nodes.csv:3: column sn: expected a non-empty value, got \"\""),
                Arguments.of(GOOD_LINE, "nodes.csv:3: column sn: duplicate node name \"node-1\", first seen on line 2"));
    }

    @ParameterizedTest
    @MethodSource("malformedLines")
    void failsOnAMalformedLineNamingFileLineAndColumn(String badLine, String expectedMessage) {
        Path file = Fixtures.write(tempDir, "nodes.csv", List.of(HEADER, GOOD_LINE, badLine));

        assertThatThrownBy(() -> new OpenbNodeReader().read(file))
                .isInstanceOf(TraceFormatException.class)
                .hasMessage(expectedMessage);
    }

    @Test
    void skipsAndCountsMalformedLinesWhenAsked() throws IOException {
        List<String> lines = Stream.concat(Stream.of(HEADER, GOOD_LINE),
                malformedLines().map(arguments -> (String) arguments.get()[0])).toList();
        Path file = Fixtures.write(tempDir, "nodes.csv", lines);

        TraceReadResult<TraceNode> result = new OpenbNodeReader(true).read(file);

        assertThat(result.items()).containsExactly(new TraceNode("node-1", 96000, 393216, 8, "G2"));
        assertThat(result.skippedLines()).isEqualTo(7);
        assertThat(result.firstErrors()).hasSize(7).first()
                .isEqualTo("nodes.csv:3: column cpu_milli: expected a non-negative integer, got \"96k\"");
        assertThat(result.firstErrors()).last()
                .isEqualTo("nodes.csv:9: column sn: duplicate node name \"node-1\", first seen on line 2");
    }

    @Test
    void namesTheMissingRequiredColumn() {
        Path file = Fixtures.write(tempDir, "nodes.csv", List.of("sn,cpu_milli,memory_mib,gpu", "n,1,1,0"));

        assertThatThrownBy(() -> new OpenbNodeReader().read(file))
                .isInstanceOf(TraceFormatException.class)
                .hasMessage("nodes.csv:1: column model: missing from the header (found sn,cpu_milli,memory_mib,gpu)");
    }

    @Test
    void aMissingFileNamesItsPath() {
        Path missing = tempDir.resolve("absent").resolve("nodes.csv");

        assertThatThrownBy(() -> new OpenbNodeReader().read(missing))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessage(missing.toAbsolutePath().normalize() + ": trace file not found");
    }
}
