package io.gantry.cli;

import io.gantry.plugin.config.ConfigException;
import io.gantry.plugin.config.SchedulerSettings;
import io.gantry.plugin.config.SettingsLoader;
import io.gantry.plugin.snapshot.Snapshot;
import io.gantry.plugin.snapshot.WhatIf;
import io.gantry.plugin.snapshot.WhatIfReport;
import io.gantry.simulator.cli.SnapshotMode;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;

/** {@code gantry simulate --snapshot}: the scheduler plugin's what-if, behind the simulator's command. */
public final class KubernetesSnapshotMode implements SnapshotMode {

    @Override
    public int run(Path snapshot, Path config, Path json, PrintWriter out, PrintWriter err) {
        try {
            SchedulerSettings settings = config == null ? SchedulerSettings.defaults().validate() : SettingsLoader.load(config);
            WhatIf.Result result = WhatIf.run(Snapshot.read(snapshot), settings);
            WhatIfReport.print(result, out);
            if (json != null) {
                WhatIfReport.writeJson(result, json);
            }
            return 0;
        } catch (ConfigException | IllegalArgumentException e) {
            err.println("gantry simulate: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("gantry simulate: cannot write " + json + ": " + e.getMessage());
            return 1;
        }
    }
}
