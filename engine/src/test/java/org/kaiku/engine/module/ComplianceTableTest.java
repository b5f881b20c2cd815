package org.kaiku.engine.module;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** README.md's compliance table is the one the registry generates (STYLE.md: never hand-listed). */
class ComplianceTableTest {

    @Test
    void readmeTableMatchesTheRegistry() throws Exception {
        String expected = ComplianceTable.markdown(ModuleRegistry.load("localhost", "Kaiku", "test"));
        String readme = Files.readString(Path.of("..", "README.md"));
        int start = readme.indexOf(ComplianceTable.START);
        int end = readme.indexOf(ComplianceTable.END);
        assertThat(start).as("README.md lacks the compliance markers; paste:%n%s", expected).isNotNegative();
        assertThat(readme.substring(start, end + ComplianceTable.END.length() + 1))
                .as("README.md's compliance table is stale; replace it with the output of ComplianceTable")
                .isEqualTo(expected);
    }

    @Test
    void everyModuleStatesItsSpecification() {
        ModuleRegistry registry = ModuleRegistry.load("localhost", "Kaiku", "test");
        assertThat(registry.modules()).isNotEmpty()
                .allSatisfy(m -> assertThat(m.getClass().getAnnotationsByType(Xep.class)).isNotEmpty());
    }
}
