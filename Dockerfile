# The gantry image: `docker build -t gantry:0.1.0 .` (BuildKit). Jib builds the same image without a
# Docker engine: cli/pom.xml. The two agree on base image, user and entrypoint (ContainerImageTest).

# Build stage: the executable jar (tests are CI's job: mvn -B verify)
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -pl cli -am -DskipTests package

# Runtime: a JRE and the jar, as a non-root user (the Deployment runs it with a read-only root file system)
FROM eclipse-temurin:17-jre
COPY --from=build /src/cli/target/gantry.jar /app/gantry.jar
USER 65532:65532
EXPOSE 10259
ENTRYPOINT ["java", "-jar", "/app/gantry.jar"]
