package io.gantry.plugin.kube;

/** Every scenario of {@link SchedulingIntegrationTest} against {@link InMemoryApiServer}, which the throughput benchmark uses. */
class SchedulingOnInMemoryApiTest extends SchedulingIntegrationTest {
    @Override
    TestCluster newCluster() {
        return new TestCluster(TestCluster.Backend.MEMORY);
    }
}
