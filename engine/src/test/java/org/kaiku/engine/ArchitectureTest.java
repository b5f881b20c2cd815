package org.kaiku.engine;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The one-way arrows of the house (STYLE.md): engine owns the storage contracts and never
 * reaches into persistence, relay or deploy, nor into Cassandra or ice4j directly.
 */
class ArchitectureTest {
    private final JavaClasses engine = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.kaiku.engine");

    @Test
    void engineDependsOnNoOuterModule() {
        noClasses().that().resideInAPackage("org.kaiku.engine..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "org.kaiku.persistence..", "org.kaiku.relay..", "org.kaiku.deploy..",
                        "com.datastax..", "org.apache.cassandra..", "org.ice4j..", "org.jitsi..")
                .check(engine);
    }
}
