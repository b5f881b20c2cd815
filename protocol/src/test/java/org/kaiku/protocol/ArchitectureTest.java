package org.kaiku.protocol;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The protocol module is a pure library (STYLE.md, "The shape of the house"): arrows point into
 * it, never out. It must not reach the actor runtime, storage, the media relay, JSON mapping, nor
 * any other Kaiku module, so that test clients and tools can use it alone.
 */
@AnalyzeClasses(packages = "org.kaiku.protocol", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule PROTOCOL_USES_NO_RUNTIME_STORAGE_OR_RELAY_LIBRARIES = noClasses()
            .that().resideInAPackage("org.kaiku.protocol..")
            .should().dependOnClassesThat().resideInAnyPackage(
                    "org.apache.pekko..",
                    "com.datastax..",
                    "org.apache.cassandra..",
                    "org.ice4j..",
                    "org.jitsi..",
                    "com.fasterxml.jackson..")
            .because("protocol is a pure library: no Pekko, no Cassandra, no ice4j (STYLE.md)");

    @ArchTest
    static final ArchRule PROTOCOL_DEPENDS_ON_NO_OTHER_KAIKU_MODULE = noClasses()
            .that().resideInAPackage("org.kaiku.protocol..")
            .should().dependOnClassesThat().resideInAnyPackage(
                    "org.kaiku.engine..",
                    "org.kaiku.persistence..",
                    "org.kaiku.relay..",
                    "org.kaiku.deploy..")
            .because("dependencies point one way: deploy -> {engine, persistence, relay} -> protocol");
}
