package io.gantry.plugin.feed;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.gantry.core.intake.SchedulerEvent;
import io.gantry.core.queue.QueueSpec;
import io.gantry.plugin.translate.PodGroup;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterFeedTest {
    private final List<SchedulerEvent> sent = new ArrayList<>();
    private final List<String> invalid = new ArrayList<>();
    private final ClusterFeed feed = new ClusterFeed("gantry", "rack", 0, new PodDirectory(), new FeedListener() {
        @Override
        public void podInvalid(PodRef pod, String message) {
            invalid.add(message);
        }

        @Override
        public void objectInvalid(HasMetadata object, String message) {
            invalid.add(message);
        }
    });

    private static Node node(String name, String zone) {
        return new NodeBuilder().withNewMetadata().withName(name).addToLabels("topology.kubernetes.io/zone", zone)
                .addToLabels("nvidia.com/gpu.product", "A100").endMetadata().withNewSpec().endSpec()
                .withNewStatus().addToAllocatable("cpu", new Quantity("8")).addToAllocatable("nvidia.com/gpu", new Quantity("4"))
                .endStatus().build();
    }

    private static PodBuilder pod(String name) {
        return new PodBuilder().withNewMetadata().withNamespace("ml").withName(name).withUid("uid-" + name).endMetadata()
                .withNewSpec().withSchedulerName("gantry").addNewContainer().withName("c").withNewResources()
                .addToLimits("nvidia.com/gpu", new Quantity("1")).endResources().endContainer().endSpec();
    }

    /** PodGroup ml/g with {@code minMember} (0 is invalid). */
    private static PodGroup groupG(int minMember) {
        PodGroup group = new PodGroup();
        group.getMetadata().setNamespace("ml");
        group.getMetadata().setName("g");
        group.setSpec(new PodGroup.Spec());
        group.getSpec().setMinMember(minMember);
        return group;
    }

    private List<String> kinds() {
        return sent.stream().map(e -> e.getClass().getSimpleName()).toList();
    }

    @Test
    void nothingIsSentUntilAttachedAndAttachReplaysCapacityBeforePendingPods() {
        feed.onNode(node("n1", "a"));
        assertThat(sent).isEmpty();
        feed.attach(sent::add, List.of(QueueSpec.guaranteed("q", 4)), List.of(node("n1", "a")), List.of(),
                List.of(pod("pending").build(), pod("running").editSpec().withNodeName("n1").endSpec().build()));
        assertThat(kinds()).containsExactly("QueueUpdated", "NodeAdded", "PodBound", "PodAdded");

        feed.detach();
        feed.onPod(pod("later").build());
        assertThat(sent).hasSize(4);
    }

    @Test
    void eachFactIsSentOnceAndNodeHeartbeatsDoNotReachTheAgent() {
        feed.attach(sent::add, List.of(), List.of(), List.of(), List.of());
        Pod p = pod("p").build();
        feed.onPod(p);
        feed.onPod(p);
        feed.onNode(node("n1", "a"));
        Node heartbeat = node("n1", "a");
        heartbeat.getStatus().setConditions(List.of(new io.fabric8.kubernetes.api.model.NodeConditionBuilder()
                .withType("Ready").withStatus("True").build()));
        feed.onNode(heartbeat);
        feed.onNode(node("n1", "b"));
        Pod bound = pod("p").editSpec().withNodeName("n1").endSpec().editMetadata()
                .addToAnnotations("gantry.io/gpu-indexes", "1,3").endMetadata().build();
        feed.onPod(bound);
        feed.onPod(bound);
        Pod done = pod("p").editSpec().withNodeName("n1").endSpec().withNewStatus().withPhase("Succeeded").endStatus().build();
        feed.onPod(done);
        feed.onPodDeleted(done);
        assertThat(kinds()).containsExactly("PodAdded", "NodeAdded", "NodeUpdated", "PodBound", "PodRemoved");
        assertThat(((SchedulerEvent.PodBound) sent.get(3)).gpuMask()).isEqualTo(0b1010);
        assertThat(((SchedulerEvent.PodRemoved) sent.get(4)).succeeded()).isTrue();
    }

    @Test
    void aBoundPodWhoseNodeIsNotKnownYetWaitsForIt() {
        feed.attach(sent::add, List.of(), List.of(), List.of(), List.of());
        feed.onPod(pod("early").editSpec().withNodeName("n9").withSchedulerName("default-scheduler").endSpec().build());
        assertThat(sent).isEmpty();
        feed.onNode(node("n9", "a"));
        assertThat(kinds()).containsExactly("NodeAdded", "PodBound");
    }

    @Test
    void gatedPodsWaitAndOtherSchedulersPendingPodsAreIgnored() {
        feed.attach(sent::add, List.of(), List.of(), List.of(), List.of());
        feed.onPod(pod("theirs").editSpec().withSchedulerName("default-scheduler").endSpec().build());
        Pod gated = pod("gated").editSpec().addNewSchedulingGate().withName("kueue").endSchedulingGate().endSpec().build();
        feed.onPod(gated);
        assertThat(sent).isEmpty();
        feed.onPod(pod("gated").build());
        assertThat(kinds()).containsExactly("PodAdded");
    }

    @Test
    void membersOfAnInvalidPodGroupAreRefusedUntilItIsFixed() {
        feed.attach(sent::add, List.of(), List.of(), List.of(), List.of());
        PodGroup group = groupG(0);
        feed.onPodGroup(group);
        feed.onPod(pod("m0").editMetadata().withLabels(Map.of("scheduling.x-k8s.io/pod-group", "g")).endMetadata().build());
        assertThat(sent).isEmpty();
        assertThat(invalid).contains("label scheduling.x-k8s.io/pod-group names an invalid PodGroup: "
                + "PodGroup ml/g: spec.minMember must be at least 1, got 0");

        group.getSpec().setMinMember(1);
        feed.onPodGroup(group);
        assertThat(kinds()).containsExactly("GangUpdated", "PodAdded");
    }

    @Test
    void aMemberThatArrivedBeforeItsInvalidPodGroupIsTakenBackAndReported() {
        feed.attach(sent::add, List.of(), List.of(), List.of(), List.of());
        feed.onPod(pod("m0").editMetadata().withLabels(Map.of("scheduling.x-k8s.io/pod-group", "g")).endMetadata().build());
        assertThat(kinds()).containsExactly("PodAdded");
        PodGroup group = groupG(0);
        feed.onPodGroup(group);
        assertThat(kinds()).containsExactly("PodAdded", "PodRemoved");
        assertThat(invalid).contains("label scheduling.x-k8s.io/pod-group names an invalid PodGroup: "
                + "PodGroup ml/g: spec.minMember must be at least 1, got 0");

        group.getSpec().setMinMember(1);
        feed.onPodGroup(group);
        assertThat(kinds()).containsExactly("PodAdded", "PodRemoved", "GangUpdated", "PodAdded");
    }

    @Test
    void anInvalidPodGroupTakesBackOnlyItsOwnPendingMembers() {
        feed.attach(sent::add, List.of(), List.of(), List.of(), List.of());
        Pod m0 = pod("m0").editMetadata().withLabels(Map.of("scheduling.x-k8s.io/pod-group", "g")).endMetadata().build();
        Pod m1 = pod("m1").editMetadata().withLabels(Map.of("scheduling.x-k8s.io/pod-group", "g")).endMetadata().build();
        feed.onPod(m0);
        feed.onPod(m1);
        feed.onPod(pod("other").editMetadata().withLabels(Map.of("scheduling.x-k8s.io/pod-group", "h")).endMetadata().build());
        feed.onPod(pod("single").build());
        feed.onPodDeleted(m1); // gone before its group turns out invalid: nothing left to take back
        assertThat(kinds()).containsExactly("PodAdded", "PodAdded", "PodAdded", "PodAdded", "PodRemoved");
        long m0Id = ((SchedulerEvent.PodAdded) sent.get(0)).pod().id();
        sent.clear();

        PodGroup group = groupG(0);
        feed.onPodGroup(group);
        assertThat(sent).extracting(e -> ((SchedulerEvent.PodRemoved) e).podId()).as("only m0 is withdrawn").containsExactly(m0Id);
        feed.onPodGroup(group); // the same invalid update again: m0 was withdrawn already
        assertThat(sent).hasSize(1);
    }

    @Test
    void gpuIndexesRoundTrip() {
        assertThat(ClusterFeed.gpuIndexes(0b1001)).isEqualTo("0,3");
        assertThat(ClusterFeed.gpuMask(pod("x").editMetadata().addToAnnotations("gantry.io/gpu-indexes", "0, 3").endMetadata().build()))
                .isEqualTo(0b1001);
        assertThat(ClusterFeed.gpuMask(pod("x").editMetadata().addToAnnotations("gantry.io/gpu-indexes", "zero").endMetadata().build()))
                .isZero();
    }
}
