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

    // MARK: rbac

    func testRBACRoleChecksAgainstMoto() throws {
        for role in ["k8sAdmin", "k8sDev"] {
            try moto.aws(["iam", "create-role", "--role-name", role, "--description", "Kubernetes \(role)",
                          "--assume-role-policy-document", Self.trustPolicy(action: "sts:AssumeRole")])
        }
        try assertVerdict(lab: "rbac", fixture: "iam-roles--pass", passes: true)

        // a role people cannot assume: only web identities may
        try moto.aws(["iam", "update-assume-role-policy", "--role-name", "k8sDev",
                      "--policy-document", Self.trustPolicy(action: "sts:AssumeRoleWithWebIdentity")])
        try assertVerdict(lab: "rbac", fixture: "iam-roles--pass", passes: false,
                          saying: "Action expected to match /(^|\")sts:AssumeRole(\"|$)/, found \"sts:AssumeRoleWithWebIdentity\"")

        try moto.aws(["iam", "delete-role", "--role-name", "k8sDev"])
        try assertVerdict(lab: "rbac", fixture: "iam-roles--pass", passes: false, saying: "NoSuchEntity")
    }

    private static func trustPolicy(action: String) -> String {
        #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"\#(action)"}]}"#
    }

    // MARK: iam-service-accounts

    func testIAMServiceAccountChecksAgainstMoto() throws {
        try createCluster(version: "1.32")
        let issuer = try moto.aws(["eks", "describe-cluster", "--name", "eksworkshop", "--query", "cluster.identity.oidc.issuer"])
            .stdout.trimmingCharacters(in: CharacterSet(charactersIn: "\"\n "))
        let host = String(issuer.dropFirst("https://".count))
        XCTAssertTrue(issuer.hasPrefix("https://oidc.eks."), "moto's issuer: \(issuer)")

        // what eksctl utils associate-iam-oidc-provider makes
        let provider = try moto.aws(["iam", "create-open-id-connect-provider", "--url", issuer, "--client-id-list", "sts.amazonaws.com",
                                     "--thumbprint-list", "9e99a48a9960b14926bb7f3b02e22da2b0ab7280", "--query", "OpenIDConnectProviderArn"])
            .stdout.trimmingCharacters(in: CharacterSet(charactersIn: "\"\n "))
        try assertVerdict(lab: "iam-service-accounts", fixture: "oidc-provider--pass", passes: true)

        // what eksctl create iamserviceaccount makes on the IAM side
        try moto.aws(["iam", "create-role", "--role-name", "iam-test-s3-read",
                      "--assume-role-policy-document", Self.webIdentityTrust(provider: provider, host: host, subject: "system:serviceaccount:default:iam-test")])
        try moto.aws(["iam", "attach-role-policy", "--role-name", "iam-test-s3-read",
                      "--policy-arn", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"])
        try assertVerdict(lab: "iam-service-accounts", fixture: "service-account--pass", passes: true)
        try assertVerdict(lab: "iam-service-accounts", fixture: "complete", passes: true)

        // the trust names another service account
        try moto.aws(["iam", "update-assume-role-policy", "--role-name", "iam-test-s3-read",
                      "--policy-document", Self.webIdentityTrust(provider: provider, host: host, subject: "system:serviceaccount:kube-system:iam-test")])
        try assertVerdict(lab: "iam-service-accounts", fixture: "service-account--pass", passes: false,
                          saying: "Condition expected some value to match")

        // the policy detached
        try moto.aws(["iam", "update-assume-role-policy", "--role-name", "iam-test-s3-read",
                      "--policy-document", Self.webIdentityTrust(provider: provider, host: host, subject: "system:serviceaccount:default:iam-test")])
        try moto.aws(["iam", "detach-role-policy", "--role-name", "iam-test-s3-read",
                      "--policy-arn", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"])
        try assertVerdict(lab: "iam-service-accounts", fixture: "service-account--pass", passes: false,
                          saying: ".json.AttachedPolicies[*].PolicyArn expected some value \"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess\", found absent")

        // the provider deleted
        try moto.aws(["iam", "delete-open-id-connect-provider", "--open-id-connect-provider-arn", provider])
        try assertVerdict(lab: "iam-service-accounts", fixture: "oidc-provider--pass", passes: false,
                          saying: ".json.OpenIDConnectProviderList[*].Arn expected some value to match")
        try assertVerdict(lab: "iam-service-accounts", fixture: "complete", passes: false,
                          saying: ".json.OpenIDConnectProviderList[*].Arn expected some value to match")
    }

    private static func webIdentityTrust(provider: String, host: String, subject: String) -> String {
        #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"\#(provider)"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"\#(host):aud":"sts.amazonaws.com","\#(host):sub":"\#(subject)"}}}]}"#
    }
}
