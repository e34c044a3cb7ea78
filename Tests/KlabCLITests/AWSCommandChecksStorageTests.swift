import Foundation
import TestSupport
import XCTest

/// The `aws` commands of the storage, VPC and KMS chapters (issue 15: kms-secrets,
/// stateful-efs, secondary-cidr), against moto, with the server of `AWSCommandChecksTests`.
///
/// These checks chain: one command's answer (a key ARN, a file system id, a VPC id) is
/// captured and goes into the next command's arguments. moto makes its own ids, so the
/// fixture's commands are first rewritten with moto's ids (`replacing`), then run against
/// moto; `klab lab test` then sees exactly the calls the checks make.
///
/// What moto lacks, and how each test stands in for it:
/// - `aws eks associate-encryption-config` (kms-secrets): the cluster is created with its
///   `--encryption-config` instead; `describe-cluster` reads it back the same way.
/// - `aws kms create-key` without `--key-usage` answers without `KeyUsage` in moto (AWS
///   always has it); the lab's command passes `--key-usage ENCRYPT_DECRYPT` and so does the test.
/// - `aws eks describe-cluster` has no `resourcesVpcConfig.vpcId` in moto (secondary-cidr):
///   the command runs against moto and the test adds the VPC's id to its answer, as EKS would
///   give it; the VPC and subnet calls run against moto as they are.
/// - stateful-efs asks kubectl, not aws, which worker nodes lie outside the mount targets'
///   zones: that call is answered from the fixture, whose recorded zones match what moto lists.
/// - stateful-ebs and spot-ocean run no `aws` command.
extension AWSCommandChecksTests {
    // MARK: kms-secrets

    func testKMSSecretsChecksAgainstMoto() throws {
        let keyArn = try createKey(alias: "alias/eksworkshop-secrets")
        let fixtureArn = "arn:aws:kms:us-west-2:123456789012:key/5d8f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
        try assertVerdict(lab: "kms-secrets", fixture: "create-key--pass", passes: true)

        // the cluster encrypts Secrets with the key (moto: made with it; see above)
        try createEncryptedCluster(keyArn: keyArn)
        try assertChainedVerdict(lab: "kms-secrets", fixture: "enable-encryption--pass", passes: true,
                                 replacing: [fixtureArn: keyArn])
        try assertChainedVerdict(lab: "kms-secrets", fixture: "complete", passes: true, replacing: [fixtureArn: keyArn])

        // the key disabled: the alias check and the cluster's key check both fail, naming the state
        let keyID = String(keyArn.split(separator: "/").last!)
        try moto.aws(["kms", "disable-key", "--key-id", keyID])
        try assertVerdict(lab: "kms-secrets", fixture: "create-key--pass", passes: false,
                          saying: ".json.KeyMetadata.KeyState expected \"Enabled\", found \"Disabled\"")
        try assertChainedVerdict(lab: "kms-secrets", fixture: "complete", passes: false, replacing: [fixtureArn: keyArn],
                                 saying: ".json.KeyMetadata.KeyState expected \"Enabled\", found \"Disabled\"")

        // scheduled for deletion
        try moto.aws(["kms", "enable-key", "--key-id", keyID])
        try moto.aws(["kms", "schedule-key-deletion", "--key-id", keyID, "--pending-window-in-days", "7"])
        try assertChainedVerdict(lab: "kms-secrets", fixture: "enable-encryption--pass", passes: false,
                                 replacing: [fixtureArn: keyArn],
                                 saying: ".json.KeyMetadata.KeyState expected \"Enabled\", found \"PendingDeletion\"")

        // a cluster without encryption of Secrets
        try moto.aws(["eks", "delete-cluster", "--name", "eksworkshop"])
        try createCluster(version: "1.32")
        try assertChainedVerdict(lab: "kms-secrets", fixture: "complete", passes: false, replacing: [fixtureArn: keyArn],
                                 saying: ".json.cluster.encryptionConfig[*].resources[*] expected \"secrets\", found absent")

        // no alias at all
        try moto.aws(["kms", "delete-alias", "--alias-name", "alias/eksworkshop-secrets"])
        try assertVerdict(lab: "kms-secrets", fixture: "create-key--pass", passes: false, saying: "NotFoundException")
    }

    // MARK: stateful-efs

    func testStatefulEFSChecksAgainstMoto() throws {
        let vpc = try moto.json(["ec2", "create-vpc", "--cidr-block", "10.0.0.0/16"])["Vpc"]["VpcId"].string
        var subnets: [String] = []
        for (zone, cidr) in [("us-west-2a", "10.0.1.0/24"), ("us-west-2b", "10.0.2.0/24"), ("us-west-2c", "10.0.3.0/24")] {
            subnets.append(try moto.json(["ec2", "create-subnet", "--vpc-id", vpc, "--availability-zone", zone,
                                          "--cidr-block", cidr])["Subnet"]["SubnetId"].string)
        }
        let group = try moto.json(["ec2", "create-security-group", "--group-name", "eksworkshop-efs-nfs",
                                   "--description", "NFS from the nodes of eksworkshop", "--vpc-id", vpc])["GroupId"].string
        try moto.aws(["ec2", "authorize-security-group-ingress", "--group-id", group, "--protocol", "tcp",
                      "--port", "2049", "--cidr", "10.0.0.0/16"])
        let fileSystem = try moto.json(["efs", "create-file-system", "--creation-token", "eksworkshop-efs", "--encrypted",
                                        "--performance-mode", "generalPurpose", "--throughput-mode", "elastic",
                                        "--tags", "Key=Name,Value=eksworkshop-efs"])["FileSystemId"].string
        var targets: [String] = []
        for subnet in subnets {
            targets.append(try moto.json(["efs", "create-mount-target", "--file-system-id", fileSystem, "--subnet-id", subnet,
                                          "--security-groups", group])["MountTargetId"].string)
        }
        // the fixture's file system and first mount target, as Scripts/chapter_fixtures/stateful_efs.py names them
        let ids = ["fs-0a1b2c3d4e5f60718": fileSystem, "fsmt-040b261523843f9ac": targets[0]]
        try assertChainedVerdict(lab: "stateful-efs", fixture: "file-system--pass", passes: true, replacing: ids)
        // the class names moto's file system: the class and completion checks pass
        try assertChainedVerdict(lab: "stateful-efs", fixture: "storage-class--pass", passes: true, replacing: ids)
        try assertChainedVerdict(lab: "stateful-efs", fixture: "complete", passes: true, replacing: ids)
        try assertChainedVerdict(lab: "stateful-efs", fixture: "file-system--pass-nodes-in-two-zones", passes: true,
                                 replacing: ids)

        // no mount target in us-west-2c, where a worker node runs: the zone query lists the two
        // others, and the node outside them (kubectl's answer, recorded in the fixture) fails the check
        try moto.aws(["efs", "delete-mount-target", "--mount-target-id", targets[2]])
        for fixture in ["file-system--fail-zone-without-mount-target", "complete--fail-zone-without-mount-target"] {
            try assertChainedVerdict(lab: "stateful-efs", fixture: fixture, passes: false, replacing: ids,
                                     saying: "notin (us-west-2a,us-west-2b) -o name: .stdout expected \"\", found \"node/ip-10-0-3-201.us-west-2.compute.internal\\n\"")
        }
        targets[2] = try moto.json(["efs", "create-mount-target", "--file-system-id", fileSystem, "--subnet-id", subnets[2],
                                    "--security-groups", group])["MountTargetId"].string

        // the mount targets on another security group
        let other = try moto.json(["ec2", "create-security-group", "--group-name", "default-like",
                                   "--description", "another group", "--vpc-id", vpc])["GroupId"].string
        try moto.aws(["efs", "modify-mount-target-security-groups", "--mount-target-id", targets[0], "--security-groups", other])
        try assertChainedVerdict(lab: "stateful-efs", fixture: "file-system--pass", passes: false, replacing: ids,
                                 saying: ".json.SecurityGroups[?(@==\"\(group)\")] expected to exist, found absent")

        // NFS no longer allowed
        try moto.aws(["ec2", "revoke-security-group-ingress", "--group-id", group, "--protocol", "tcp",
                      "--port", "2049", "--cidr", "10.0.0.0/16"])
        try assertChainedVerdict(lab: "stateful-efs", fixture: "file-system--pass", passes: false, replacing: ids,
                                 saying: ".json.SecurityGroups[0].IpPermissions[?(@.FromPort==2049)].IpProtocol expected \"tcp\", found absent")

        // the file system deleted (its mount targets first, as EFS requires)
        for target in targets { try moto.aws(["efs", "delete-mount-target", "--mount-target-id", target]) }
        try assertChainedVerdict(lab: "stateful-efs", fixture: "complete", passes: false, replacing: ids,
                                 saying: ".json.MountTargets[0].MountTargetId expected to exist, found absent")
        try moto.aws(["efs", "delete-file-system", "--file-system-id", fileSystem])
        try assertChainedVerdict(lab: "stateful-efs", fixture: "file-system--pass", passes: false, replacing: ids,
                                 saying: ".json.FileSystems[0].LifeCycleState expected \"available\", found absent")
        try assertChainedVerdict(lab: "stateful-efs", fixture: "complete", passes: false, replacing: ids,
                                 saying: "FileSystemNotFound")
    }

    // MARK: secondary-cidr

    func testSecondaryCIDRChecksAgainstMoto() throws {
        try createCluster(version: "1.32")
        let vpc = try moto.json(["ec2", "create-vpc", "--cidr-block", "10.0.0.0/16"])["Vpc"]["VpcId"].string
        let ids = ["vpc-0a9b8c7d6e5f40312": vpc]
        // no block yet: the association check fails, naming what it looked for
        try assertChainedVerdict(lab: "secondary-cidr", fixture: "add-cidr--pass", passes: false, replacing: ids,
                                 adding: vpcIdTo(vpc),
                                 saying: "CidrBlockAssociationSet[?(@.CidrBlock==\"100.64.0.0/16\")].CidrBlockState.State expected \"associated\", found absent")

        let association = try moto.json(["ec2", "associate-vpc-cidr-block", "--vpc-id", vpc, "--cidr-block", "100.64.0.0/16"])
        for (zone, cidr) in [("us-west-2a", "100.64.0.0/19"), ("us-west-2b", "100.64.32.0/19"), ("us-west-2c", "100.64.64.0/19")] {
            try moto.aws(["ec2", "create-subnet", "--vpc-id", vpc, "--availability-zone", zone, "--cidr-block", cidr])
        }
        try assertChainedVerdict(lab: "secondary-cidr", fixture: "add-cidr--pass", passes: true, replacing: ids,
                                 adding: vpcIdTo(vpc))
        try assertChainedVerdict(lab: "secondary-cidr", fixture: "complete", passes: true, replacing: ids,
                                 adding: vpcIdTo(vpc))

        // a subnet outside the ranges EKS allows for pods, but in the VPC's 100.x block
        let wrong = try moto.json(["ec2", "associate-vpc-cidr-block", "--vpc-id", vpc, "--cidr-block", "100.200.0.0/16"])
        XCTAssertEqual(wrong["CidrBlockAssociation"]["CidrBlock"].string, "100.200.0.0/16")
        try moto.aws(["ec2", "create-subnet", "--vpc-id", vpc, "--availability-zone", "us-west-2a", "--cidr-block", "100.200.0.0/24"])
        try assertChainedVerdict(lab: "secondary-cidr", fixture: "add-cidr--pass", passes: false, replacing: ids,
                                 adding: vpcIdTo(vpc), saying: "found \"100.200.0.0/24\"")

        // the block taken off again
        let associationID = association["CidrBlockAssociation"]["AssociationId"].string
        try moto.aws(["ec2", "disassociate-vpc-cidr-block", "--association-id", associationID])
        try assertChainedVerdict(lab: "secondary-cidr", fixture: "complete", passes: false, replacing: ids,
                                 adding: vpcIdTo(vpc),
                                 saying: "CidrBlockState.State expected \"associated\"")
    }

    // MARK: helpers

    /// What moto's `describe-cluster` leaves out and EKS answers: `resourcesVpcConfig.vpcId`.
    private func vpcIdTo(_ vpc: String) -> [String: @Sendable (inout [String: Any]) -> Void] {
        ["describe-cluster": { answer in
            guard var cluster = answer["cluster"] as? [String: Any],
                  var config = cluster["resourcesVpcConfig"] as? [String: Any] else { return }
            config["vpcId"] = vpc
            cluster["resourcesVpcConfig"] = config
            answer["cluster"] = cluster
        }]
    }

    private func createKey(alias: String) throws -> String {
        let arn = try moto.json(["kms", "create-key", "--key-spec", "SYMMETRIC_DEFAULT", "--key-usage", "ENCRYPT_DECRYPT",
                                 "--description", "Envelope encryption of Secrets in EKS cluster eksworkshop"])["KeyMetadata"]["Arn"].string
        try moto.aws(["kms", "create-alias", "--alias-name", alias, "--target-key-id", arn])
        return arn
    }

    private func createEncryptedCluster(keyArn: String) throws {
        try moto.aws(["eks", "create-cluster", "--name", "eksworkshop", "--kubernetes-version", "1.32",
                      "--role-arn", "arn:aws:iam::123456789012:role/eksctl-eksworkshop-cluster-ServiceRole",
                      "--resources-vpc-config", "subnetIds=subnet-0a1b2c3d4e5f60001,subnet-0a1b2c3d4e5f60002",
                      "--encryption-config", #"[{"resources":["secrets"],"provider":{"keyArn":"\#(keyArn)"}}]"#])
    }

    /// Like `assertVerdict`, for checks whose later commands carry ids an earlier one captured:
    /// every recorded call's arguments and answer get `replacing` applied (fixture id → moto id),
    /// then each `aws` call is run against moto; `adding` completes, by output file name part, a
    /// JSON answer with what moto leaves out.
    private func assertChainedVerdict(lab: String, fixture: String, passes: Bool, replacing: [String: String],
                                      adding: [String: @Sendable (inout [String: Any]) -> Void] = [:],
                                      saying expected: String? = nil,
                                      file: StaticString = #filePath, line: UInt = #line) throws {
        let source = KlabBinary.repositoryRoot.appendingPathComponent("labs/\(lab)/fixtures/\(fixture)")
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("klab-moto-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: source, to: copy)
        defer { try? FileManager.default.removeItem(at: copy) }

        // the ids in the objects too: a check may capture one from a Kubernetes object (efs-sc's fileSystemId)
        for name in try FileManager.default.contentsOfDirectory(atPath: copy.path) where name.hasSuffix(".json") {
            let url = copy.appendingPathComponent(name)
            var text = try String(contentsOf: url, encoding: .utf8)
            for (from, to) in replacing { text = text.replacingOccurrences(of: from, with: to) }
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        let outputs = copy.appendingPathComponent("outputs")
        var ran = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: outputs.path).sorted() where name.hasSuffix(".json") {
            let url = outputs.appendingPathComponent(name)
            var text = try String(contentsOf: url, encoding: .utf8)
            for (from, to) in replacing { text = text.replacingOccurrences(of: from, with: to) }
            guard var record = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { continue }
            if let command = record["command"] as? [String], command.first == "aws" {
                let result = try moto.run(command)
                var stdout = result.stdout
                if let add = adding.first(where: { name.contains($0.key) })?.value,
                   var answer = try? JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any] {
                    add(&answer)
                    stdout = String(decoding: try JSONSerialization.data(withJSONObject: answer, options: [.prettyPrinted]),
                                    as: UTF8.self) + "\n"
                }
                record["result"] = ["exitCode": Int(result.status), "stdout": stdout, "stderr": result.stderr]
                ran += 1
            }
            try JSONSerialization.data(withJSONObject: record, options: [.prettyPrinted, .sortedKeys]).write(to: url)
        }
        XCTAssertGreaterThan(ran, 0, "\(lab)/\(fixture) ran no aws command against moto", file: file, line: line)

        let step = fixture.hasPrefix("complete") ? ["--complete"] : ["--step", fixture.components(separatedBy: "--")[0]]
        let result = try KlabBinary.run(["lab", "test", lab, "--snapshot", copy.path] + step,
                                        currentDirectory: KlabBinary.repositoryRoot)
        XCTAssertEqual(result.status, passes ? 0 : 1, "\(lab)/\(fixture) against moto:\n\(result.stdout)\(result.stderr)",
                       file: file, line: line)
        if let expected {
            XCTAssertTrue(result.stdout.contains(expected),
                          "\(lab)/\(fixture): expected the output to mention \(expected):\n\(result.stdout)", file: file, line: line)
        }
    }
}

/// Just enough JSON walking for the ids the tests above read from the aws CLI's answers.
struct MotoJSON {
    let value: Any?

    subscript(key: String) -> MotoJSON { MotoJSON(value: (value as? [String: Any])?[key]) }
    var string: String { value as? String ?? "" }
}

extension MotoServer {
    /// Runs `aws ARGS...` against the server and parses what it printed.
    func json(_ arguments: [String]) throws -> MotoJSON {
        let result = try aws(arguments)
        return MotoJSON(value: try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)))
    }
}
