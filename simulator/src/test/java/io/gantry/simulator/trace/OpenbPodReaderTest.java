package io.gantry.simulator.trace;

import static io.gantry.simulator.trace.Fixtures.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OpenbPodReaderTest {

    private static final String FULL_HEADER =
            "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time";
    private static final String GOOD_LINE = "good,1000,1024,1,1000,,LS,Running,1,2,1";

    @TempDir
    Path tempDir;

    @Test
    void readsTheFullLayoutIntoExactRecords() throws IOException {
        TraceReadResult<TracePod> result = new OpenbPodReader().read(fixture("pods_full.csv"));

        assertThat(result.items()).containsExactly(
                new TracePod("pod-whole", 12000, 16384, 1, 1000, Set.of(), "LS", "Running", 0, 12537496, 0),
                new TracePod("pod-share", 6000, 12288, 1, 460, Set.of(), "LS", "Running", 427061, 12902960, 427061),
                new TracePod("pod-multi", 88000, 327680, 8, 1000, Set.of("V100M16", "V100M32"), "BE", "Succeeded",
                        100, 200, 150),
                new TracePod("pod-cpu", 12500, 57344, 0, 0, Set.of(), "LS", "Pending", 10971827, 10972394,
                        TracePod.UNKNOWN_TIME));
        assertThat(result.skippedLines()).isZero();
        assertThat(result.firstErrors()).isEmpty();
        assertThat(result.isClean()).isTrue();
    }

    @Test
    void keepsGpuSpecSortedDeduplicatedAndImmutable() throws IOException {
        TracePod multi = new OpenbPodReader().read(fixture("pods_full.csv")).items().get(2);

        assertThat(multi.gpuSpec()).containsExactly("V100M16", "V100M32");
        assertThatThrownBy(() -> multi.gpuSpec().add("T4")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void readsTheFiveColumnLayoutOfTheMultigpuFiles() throws IOException {
        TraceReadResult<TracePod> result = new OpenbPodReader().read(fixture("pods_five_columns.csv"));

        long unknown = TracePod.UNKNOWN_TIME;
        assertThat(result.items()).containsExactly(
                new TracePod("pod-0", 12000, 16384, 1, 1000, Set.of(), "", "", unknown, unknown, unknown),
                new TracePod("pod-1", 6000, 12288, 1, 460, Set.of(), "", "", unknown, unknown, unknown),
                new TracePod("pod-2", 88000, 327680, 8, 1000, Set.of(), "", "", unknown, unknown, unknown),
                new TracePod("pod-3", 8000, 30517, 0, 0, Set.of(), "", "", unknown, unknown, unknown));
    }

    @Test
    void findsColumnsByNameInAnyOrderAndIgnoresUnknownOnes() throws IOException {
        TraceReadResult<TracePod> result = new OpenbPodReader().read(fixture("pods_reordered_extra_column.csv"));

        assertThat(result.items()).containsExactly(
                new TracePod("pod-x", 2000, 4096, 1, 250, Set.of(), "BE", "", 10, 20, TracePod.UNKNOWN_TIME));
    }

    static Stream<Arguments> malformedLines() {
        return Stream.of(
                Arguments.of("p,12x,100,1,1000,,LS,Running,1,2,1",
                        "pods.csv:3: column cpu_milli: expected a non-negative integer, got \"12x\""),
                Arguments.of("p,1000,-5,1,1000,,LS,Running,1,2,1",
                        "pods.csv:3: column memory_mib: expected a non-negative integer, got \"-5\""),
                Arguments.of("p,1000,1024,x,1000,,LS,Running,1,2,1",
                        "pods.csv:3: column num_gpu: expected an integer 0..16, got \"x\""),
                Arguments.of("p,1000,1024,,1000,,LS,Running,1,2,1",
                        "pods.csv:3: column num_gpu: expected an integer 0..16, got \"\""),
                Arguments.of("p,1000,1024,17,1000,,LS,Running,1,2,1",
                        "pods.csv:3: column num_gpu: expected an integer 0..16, got \"17\""),
                Arguments.of("p,1000,1024,1,1000,,LS,Running,1,2",
                        "pods.csv:3: expected 11 columns as in the header, got 10"),
                Arguments.of("p,1000,1024,1,1000,,LS,Running,1,2,1,extra",
                        "pods.csv:3: expected 11 columns as in the header, got 12"),
                Arguments.of("p,1000,1024,1,1500,,LS,Running,1,2,1",
                        "pods.csv:3: column gpu_milli: expected an integer 0..1000, got \"1500\""),
                Arguments.of("p,1000,1024,2,500,,LS,Running,1,2,1",
                        "pods.csv:3: column gpu_milli: expected 1000 when num_gpu is 2 (whole GPUs), got 500"),
                Arguments.of("p,1000,1024,0,300,,LS,Running,1,2,1",
                        "pods.csv:3: column gpu_milli: expected 0 when num_gpu is 0, got 300"),
                Arguments.of("p,1000,1024,1,0,,LS,Running,1,2,1",
                        "pods.csv:3: column gpu_milli: expected 1..1000 when num_gpu is 1, got 0"),
                Arguments.of("p,1000,1024,1,1000,,LS,Running,100,50,100",
                        "pods.csv:3: column deletion_time: expected a time >= creation_time 100, got 50"),
                Arguments.of("p,1000,1024,1,1000,,LS,Running,soon,50,100",
                        "pods.csv:3: column creation_time: expected a non-negative integer (seconds) or nothing, got \"soon\""),
                Arguments.of(",1000,1024,1,1000,,LS,Running,1,2,1",
                        "pods.csv:3: column name: expected a non-empty value, got \"\""),
                Arguments.of("p,1000,1024,1,1000,T4||A10,LS,Running,1,2,1",
                        "pods.csv:3: column gpu_spec: expected names separated by '|', got \"T4||A10\""),
                Arguments.of("\"p\",1000,1024,1,1000,,LS,Running,1,2,1",
                        "pods.csv:3: quoted fields are not supported in openb traces"),
                Arguments.of(GOOD_LINE,
                        "pods.csv:3: column name: duplicate pod name \"good\", first seen on line 2"));
    }

    @ParameterizedTest
    @MethodSource("malformedLines")
    void failsOnTheFirstMalformedLineNamingFileLineAndColumn(String badLine, String expectedMessage) {
        Path file = Fixtures.write(tempDir, "pods.csv", List.of(FULL_HEADER, GOOD_LINE, badLine, "later,1,1,0,0,,,,,,"));

        assertThatThrownBy(() -> new OpenbPodReader().read(file))
                .isInstanceOf(TraceFormatException.class)
                .hasMessage(expectedMessage);
    }

    @ParameterizedTest
    @MethodSource("malformedLines")
    void skipsEachKindOfMalformedLineWhenAsked(String badLine, String expectedMessage) throws IOException {
        Path file = Fixtures.write(tempDir, "pods.csv", List.of(FULL_HEADER, GOOD_LINE, badLine, "later,1,1,0,0,,,,,,"));

        TraceReadResult<TracePod> result = new OpenbPodReader(true).read(file);

        assertThat(result.items()).extracting(TracePod::name).containsExactly("good", "later");
        assertThat(result.skippedLines()).isEqualTo(1);
        assertThat(result.firstErrors()).containsExactly(expectedMessage);
    }

    @Test
    void exposesTheLocationOfAFormatError() {
        Path file = Fixtures.write(tempDir, "pods.csv", List.of(FULL_HEADER, GOOD_LINE, "p,1000,1024,x,1000,,LS,Running,1,2,1"));

        assertThatThrownBy(() -> new OpenbPodReader().read(file))
                .isInstanceOfSatisfying(TraceFormatException.class, e -> {
                    assertThat(e.file()).isEqualTo("pods.csv");
                    assertThat(e.line()).isEqualTo(3);
                    assertThat(e.column()).contains("num_gpu");
                    assertThat(e.detail()).isEqualTo("expected an integer 0..16, got \"x\"");
                });
    }

    @Test
    void strictReaderStopsAtTheFirstOfSeveralBadLines() {
        assertThatThrownBy(() -> new OpenbPodReader().read(fixture("pods_malformed.csv")))
                .isInstanceOf(TraceFormatException.class)
                .hasMessage("pods_malformed.csv:3: column memory_mib: expected a non-negative integer, got \"lots\"");
    }

    @Test
    void skippingReaderCountsEveryBadLineAndKeepsTheGoodOnes() throws IOException {
        TraceReadResult<TracePod> result = new OpenbPodReader(true).read(fixture("pods_malformed.csv"));

        assertThat(result.items()).extracting(TracePod::name).containsExactly("good-1", "good-2", "good-3");
        assertThat(result.skippedLines()).isEqualTo(5);
        assertThat(result.isClean()).isFalse();
        assertThat(result.firstErrors()).containsExactly(
                "pods_malformed.csv:3: column memory_mib: expected a non-negative integer, got \"lots\"",
                "pods_malformed.csv:5: expected 11 columns as in the header, got 5",
                "pods_malformed.csv:6: column gpu_milli: expected an integer 0..1000, got \"1500\"",
                "pods_malformed.csv:7: column gpu_milli: expected 1000 when num_gpu is 2 (whole GPUs), got 500",
                "pods_malformed.csv:8: column name: duplicate pod name \"good-1\", first seen on line 2");
    }

    @Test
    void keepsOnlyTheFirstTenMessagesButCountsAllBadLines() throws IOException {
        List<String> lines = new ArrayList<>(List.of(FULL_HEADER));
        IntStream.range(0, 25).forEach(i -> lines.add("bad-" + i + ",x,1,0,0,,,,,,"));
        lines.add(GOOD_LINE);
        Path file = Fixtures.write(tempDir, "pods.csv", lines);

        TraceReadResult<TracePod> result = new OpenbPodReader(true).read(file);

        assertThat(result.items()).extracting(TracePod::name).containsExactly("good");
        assertThat(result.skippedLines()).isEqualTo(25);
        assertThat(result.firstErrors()).hasSize(TraceReadResult.MAX_REPORTED_ERRORS);
        assertThat(result.firstErrors().get(9))
                .isEqualTo("pods.csv:11: column cpu_milli: expected a non-negative integer, got \"x\"");
    }

    @Test
    void namesTheMissingRequiredColumn() {
        Path file = Fixtures.write(tempDir, "pods.csv",
                List.of("name,cpu_milli,memory_mib,gpu_milli", "p,1000,1024,1000"));

        assertThatThrownBy(() -> new OpenbPodReader().read(file))
                .isInstanceOf(TraceFormatException.class)
                .hasMessage("pods.csv:1: column num_gpu: missing from the header (found name,cpu_milli,memory_mib,gpu_milli)");
    }

    @Test
    void aBadHeaderFailsEvenWhenSkippingBadLines() {
        Path file = Fixtures.write(tempDir, "pods.csv", List.of("name,cpu_milli,memory_mib,num_gpu"));

        assertThatThrownBy(() -> new OpenbPodReader(true).read(file))
                .isInstanceOf(TraceFormatException.class)
                .hasMessage("pods.csv:1: column gpu_milli: missing from the header (found name,cpu_milli,memory_mib,num_gpu)");
    }

    @Test
    void rejectsAColumnNamedTwiceInTheHeader() {
        Path file = Fixtures.write(tempDir, "pods.csv", List.of("name,cpu_milli,memory_mib,num_gpu,gpu_milli,num_gpu"));

        assertThatThrownBy(() -> new OpenbPodReader().read(file))
                .isInstanceOf(TraceFormatException.class)
                .hasMessage("pods.csv:1: column num_gpu: appears twice in the header");
    }

    @Test
    void rejectsAnEmptyFile() {
        Path file = Fixtures.write(tempDir, "pods.csv", List.of());

        assertThatThrownBy(() -> new OpenbPodReader().read(file))
                .isInstanceOf(TraceFormatException.class)
                .hasMessage("pods.csv:1: expected a header line with the columns name,cpu_milli,memory_mib,num_gpu,gpu_milli,"
                        + " got an empty file");
    }

    @Test
    void aHeaderAloneIsAnEmptyTrace() throws IOException {
        Path file = Fixtures.write(tempDir, "pods.csv", List.of(FULL_HEADER));

        assertThat(new OpenbPodReader().read(file).items()).isEmpty();
    }

    @Test
    void ignoresTrailingBlankLinesButNotBlankLinesInsideTheData() throws IOException {
        Path trailing = Fixtures.write(tempDir, "trailing.csv", List.of(FULL_HEADER, GOOD_LINE, "", "  ", ""));
        Path inside = Fixtures.write(tempDir, "inside.csv", List.of(FULL_HEADER, GOOD_LINE, "", "next,1,1,0,0,,,,,,"));

        assertThat(new OpenbPodReader().read(trailing).items()).hasSize(1);
        assertThatThrownBy(() -> new OpenbPodReader().read(inside))
                .isInstanceOf(TraceFormatException.class)
                .hasMessage("inside.csv:3: blank line before the end of the data");
        TraceReadResult<TracePod> skipping = new OpenbPodReader(true).read(inside);
        assertThat(skipping.items()).extracting(TracePod::name).containsExactly("good", "next");
        assertThat(skipping.skippedLines()).isEqualTo(1);
    }

    @Test
    void toleratesWindowsLineEndingsAndAByteOrderMark() throws IOException {
        Path file = Fixtures.write(tempDir, "pods.csv", List.of("\uFEFF" + FULL_HEADER + "\r", GOOD_LINE + "\r"));

        assertThat(new OpenbPodReader().read(file).items())
                .containsExactly(new TracePod("good", 1000, 1024, 1, 1000, Set.of(), "LS", "Running", 1, 2, 1));
    }

    @Test
    void aMissingFileNamesItsPath() {
        Path missing = tempDir.resolve("no_such_trace.csv");

        assertThatThrownBy(() -> new OpenbPodReader().read(missing))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessage(missing.toAbsolutePath().normalize() + ": trace file not found");
    }
}
