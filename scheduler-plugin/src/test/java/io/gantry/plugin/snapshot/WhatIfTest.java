package io.gantry.plugin.snapshot;

import io.gantry.plugin.config.SchedulerSettings;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WhatIfTest {

    private static String fixture() throws IOException {
        try (InputStream in = WhatIfTest.class.getResourceAsStream("/snapshots/small-cluster.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void readsListsAcrossYamlDocumentsAndSkipsOtherKinds() throws IOException {
        Snapshot s = Snapshot.parse(fixture(), "small-cluster.yaml");
        assertThat(s.nodes()).hasSize(2);
        assertThat(s.pods()).hasSize(7);
        assertThat(s.podGroups()).extracting(g -> g.getSpec().getMinMember()).containsExactly(2);
        assertThat(s.ignored()).isEqualTo(1);
    }

    @Test
    void schedulesThePendingGantryPodsAndSaysWhyTheOthersWait() throws IOException {
        WhatIf.Result result = WhatIf.run(Snapshot.parse(fixture(), "small-cluster.yaml"), SchedulerSettings.defaults().validate());
        Map<String, WhatIf.Decision> byName = result.decisions().stream()
                .collect(Collectors.toMap(WhatIf.Decision::name, Function.identity()));
        assertThat(byName.keySet()).containsExactlyInAnyOrder("train-big", "too-big", "bad", "gated", "pair-0", "pair-1");
        assertThat(byName.get("train-big").node()).isEqualTo("h100-node");
        assertThat(byName.get("train-big").gpus()).hasSize(4);
        // web-0 (another scheduler's) holds 6 of a100-node's GPUs, train-big 4 of h100-node's: 8 free GPUs nowhere
        assertThat(byName.get("too-big").node()).isNull();
        assertThat(byName.get("too-big").reason()).isNotBlank();
        assertThat(byName.get("bad").reason())
                .isEqualTo("pod ml/bad: metadata.annotations[gantry.io/gpu-milli] must be a whole number 1..999, got \"lots\"");
        assertThat(byName.get("gated").node()).isNull();
        assertThat(byName.get("gated").reason()).contains("scheduling gates");
        assertThat(List.of(byName.get("pair-0").node(), byName.get("pair-1").node())).doesNotContainNull();
        assertThat(result.evictions()).isEmpty();
        assertThat(result.boundPods()).isEqualTo(1);
    }

    @Test
    void aBrokenDocumentIsNamed() {
        assertThatThrownBy(() -> Snapshot.parse("apiVersion: v1\nkind: Node\nmetadata: [oops\n", "x.yaml"))
                .hasMessageStartingWith("x.yaml: YAML document 1 is not a Kubernetes object: ");
    }
}
