package io.gantry.plugin.snapshot;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class WhatIfReportTest {

    @Test
    void columnsAreAsWideAsTheirWidestCell() {
        WhatIf.Result result = new WhatIf.Result(List.of(
                new WhatIf.Decision("ml", "train-0", "gpu-node-with-a-long-name-17", List.of(0, 1, 2, 3, 4, 5, 6, 7), "placed"),
                new WhatIf.Decision("ml", "serve", null, List.of(), "0/2 nodes fit")), List.of(), 2, 0);
        StringWriter text = new StringWriter();
        WhatIfReport.print(result, new PrintWriter(text));
        assertThat(text.toString().lines()).containsExactly(
                "snapshot: 2 nodes, 0 bound pods, 2 pending Gantry pods: 1 would be placed, 1 would wait, 0 evictions",
                "POD         NODE                          GPUS               REASON",
                "ml/train-0  gpu-node-with-a-long-name-17  [0,1,2,3,4,5,6,7]  placed",
                "ml/serve    -                             -                  0/2 nodes fit");
    }
}
