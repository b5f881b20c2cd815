package org.kaiku.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The common pool sizing KaikuMain applies before anything runs (see commonParallelism). */
class KaikuMainTest {

    @Test
    void smallMachinesGetTwoCommonPoolWorkersSoAsyncCallbacksDoNotStartAThreadEach() {
        assertThat(KaikuMain.commonParallelism(1, null)).isEqualTo("2");
        assertThat(KaikuMain.commonParallelism(2, null)).isEqualTo("2");
    }

    @Test
    void largerMachinesAndAnOperatorsOwnSettingAreLeftAlone() {
        assertThat(KaikuMain.commonParallelism(3, null)).isNull();
        assertThat(KaikuMain.commonParallelism(64, null)).isNull();
        assertThat(KaikuMain.commonParallelism(2, "1")).isNull();
    }
}
