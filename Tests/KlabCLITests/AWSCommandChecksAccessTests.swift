import XCTest

/// The `aws` commands of the access-and-network chapters (issue 14), against moto, with the
/// harness of `AWSCommandChecksTests`.
extension AWSCommandChecksTests {
    // MARK: spot-instances

    func testSpotNodeGroupCheckAgainstMoto() throws {
        try createCluster(version: "1.32")
        // the step's commands: the group with its label, then the taint added to it
        try createSpotNodeGroup(capacityType: "SPOT", taints: false)
        try assertVerdict(lab: "spot-instances", fixture: "spot-nodes--pass", passes: false,
                          saying: ".json.nodegroup.taints[?(@.key==\"spotInstance\")].effect expected \"PREFER_NO_SCHEDULE\", found absent")
        try moto.aws(["eks", "update-nodegroup-config", "--cluster-name", "eksworkshop", "--nodegroup-name", "ng-spot",
                      "--taints", "addOrUpdateTaints=[{key=spotInstance,value=true,effect=PREFER_NO_SCHEDULE}]"])
        try assertVerdict(lab: "spot-instances", fixture: "spot-nodes--pass", passes: true)

        // the taint with the wrong effect
        try moto.aws(["eks", "update-nodegroup-config", "--cluster-name", "eksworkshop", "--nodegroup-name", "ng-spot",
                      "--taints", "addOrUpdateTaints=[{key=spotInstance,value=true,effect=NO_SCHEDULE}]"])
        try assertVerdict(lab: "spot-instances", fixture: "spot-nodes--pass", passes: false,
                          saying: "expected \"PREFER_NO_SCHEDULE\", found \"NO_SCHEDULE\"")

        // on-demand capacity under the spot group's name
        try moto.aws(["eks", "delete-nodegroup", "--cluster-name", "eksworkshop", "--nodegroup-name", "ng-spot"])
        try createSpotNodeGroup(capacityType: "ON_DEMAND", taints: true)
        try assertVerdict(lab: "spot-instances", fixture: "spot-nodes--pass", passes: false,
                          saying: ".json.nodegroup.capacityType expected \"SPOT\", found \"ON_DEMAND\"")

        try moto.aws(["eks", "delete-nodegroup", "--cluster-name", "eksworkshop", "--nodegroup-name", "ng-spot"])
        try assertVerdict(lab: "spot-instances", fixture: "spot-nodes--pass", passes: false, saying: "ResourceNotFoundException")
    }

    private func createSpotNodeGroup(capacityType: String, taints: Bool) throws {
        var arguments = ["eks", "create-nodegroup", "--cluster-name", "eksworkshop", "--nodegroup-name", "ng-spot",
                         "--capacity-type", capacityType, "--instance-types", "m5.large", "m5a.large", "m5d.large", "m6i.large",
                         "--scaling-config", "minSize=1,maxSize=4,desiredSize=2", "--labels", "lifecycle=Ec2Spot",
                         "--subnets", "subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002",
                         "--node-role", "arn:aws:iam::123456789012:role/eksctl-eksworkshop-nodegroup-ng-spot-NodeInstanceRole"]
        if taints { arguments += ["--taints", "key=spotInstance,value=true,effect=PREFER_NO_SCHEDULE"] }
        try moto.aws(arguments)
    }
}
