package org.kaiku.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** kaiku.c2s.stream-management: defaults from reference.conf, the grant rule, bad values named. */
class StreamManagementSettingsTest {

    private static EngineSettings with(String hocon) {
        return EngineSettings.fromConfig(ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference()));
    }

    @Test
    void defaultsAndGrant() {
        StreamManagementSettings sm = with("").streamManagement();
        assertThat(sm.resumeTimeout()).isEqualTo(Duration.ofSeconds(300));
        assertThat(sm.maxResumeTimeout()).isEqualTo(Duration.ofSeconds(600));
        assertThat(sm.location()).isEmpty();
        assertThat(sm.grant(0)).isEqualTo(Duration.ofSeconds(300));
        assertThat(sm.grant(30)).isEqualTo(Duration.ofSeconds(30));
        assertThat(sm.grant(86400)).as("capped").isEqualTo(Duration.ofSeconds(600));
        assertThat(with("kaiku.c2s.stream-management.location = \"[2001:db8::1]:5222\"").streamManagement().location())
                .isEqualTo("[2001:db8::1]:5222");
    }

    @Test
    void badValuesFailNamingTheirKey() {
        assertThatThrownBy(() -> with("kaiku.c2s.stream-management.resume-timeout = 0s"))
                .isInstanceOf(SettingsException.class).hasMessageContaining("kaiku.c2s.stream-management.resume-timeout");
        assertThatThrownBy(() -> with("kaiku.c2s.stream-management.resume-timeout = 20m"))
                .isInstanceOf(SettingsException.class).hasMessageContaining("kaiku.c2s.stream-management.resume-timeout");
        assertThatThrownBy(() -> with("kaiku.c2s.stream-management.ack-request-every = 0"))
                .isInstanceOf(SettingsException.class).hasMessageContaining("kaiku.c2s.stream-management.ack-request-every");
        assertThatThrownBy(() -> with("kaiku.c2s.stream-management.max-unacked = many"))
                .isInstanceOf(SettingsException.class).hasMessageContaining("kaiku.c2s.stream-management.max-unacked");
        assertThatThrownBy(() -> with("kaiku.c2s.stream-management.entity-keepalive = 120s"))
                .as("not below the sharding idle timeout: the entity would be passivated with its queues")
                .isInstanceOf(SettingsException.class).hasMessageContaining("kaiku.c2s.stream-management.entity-keepalive");
        assertThatThrownBy(() -> with("kaiku.c2s.stream-management.location = \"a b:c\""))
                .isInstanceOf(SettingsException.class).hasMessageContaining("kaiku.c2s.stream-management.location");
    }
}
