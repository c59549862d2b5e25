package scrub

var dotfileLeaks = section("dotfiles",
	cm("pgpass", ".pgpass", true, func(c string) string {
		return "db.prod.example.com:5432:shop:app:" + c + "\n*:*:*:replicator:other-one\n"
	}),
	cm("pgpass under a harmless name", "db-access", true, func(c string) string {
		return "# host:port:database:user:password\norders-db:5432:*:report:" + c + "\n"
	}),
	cm("netrc multi-line", "netrc", true, func(c string) string {
		return "machine git.example.com\n  login ci\n  password " + c + "\n\nmachine api.example.com login bot password other-one\n"
	}),
	cm("npmrc _password", ".npmrc", true, func(c string) string {
		return "registry=https://npm.example.com/\n//npm.example.com/:username=ci\n//npm.example.com/:_password=" + b64(c) + "\n//npm.example.com/:email=ci@example.com\n"
	}),
	cm("npmrc _auth", "npmrc-ci", true, func(c string) string {
		return "always-auth=true\n_auth=" + b64("ci:"+c) + "\n"
	}),
	cm("pypirc", ".pypirc", true, func(c string) string {
		return "[distutils]\nindex-servers = internal\n\n[internal]\nrepository = https://pypi.example.com/\nusername = deploy\npassword = " + c + "\n"
	}),
	cm("docker config identity token", "config.json", false, func(c string) string {
		return "{\"auths\": {\"registry.example.com\": {\"identitytoken\": \"" + c + "\"}}, \"credsStore\": \"\"}"
	}),
	leakCase{name: "gem credentials", where: "cm", key: "credentials", secret: hex32, in: func(c string) string {
		return "---\n:rubygems_api_key: rubygems_" + hex32(c) + hex32(c+"x") + "\n"
	}},
	cm("gh hosts", "hosts.yml", false, func(c string) string {
		return "github.com:\n    user: shop-ci\n    oauth_token: gho_" + c + "abcdefghijkl\n    git_protocol: https\n"
	}),
	cm("s3cfg", ".s3cfg", true, func(c string) string {
		return "[default]\naccess_key = AKIAIOSFODNN7EXAMPLE\nsecret_key = " + c + "\nhost_base = s3.eu-west-1.amazonaws.com\n"
	}),
	cm("vault token file", ".vault-token", false, func(c string) string { return "hvs." + c + c + c + c }),
	cm("cargo credentials", "credentials.toml", false, func(c string) string { return "[registry]\ntoken = \"cio" + c + c[:8] + "\"\n" }),
	cm("composer auth", "auth.json", true, func(c string) string {
		return "{\"http-basic\": {\"repo.example.com\": {\"username\": \"ci\", \"password\": \"" + c + "\"}}, \"gitlab-token\": {\"gitlab.example.com\": \"other-one\"}}"
	}),
	cm("gitconfig extra header", ".gitconfig", true, func(c string) string {
		return "[user]\n  name = CI\n[http \"https://git.example.com\"]\n  extraHeader = Authorization: Bearer " + c + "\n"
	}),
	cm("curlrc user", ".curlrc", true, func(c string) string {
		return "silent\nshow-error\nuser = \"deploy:" + c + "\"\n"
	}),
	cm("wgetrc password", ".wgetrc", true, func(c string) string {
		return "tries = 3\nhttp_user = deploy\nhttp_password = " + c + "\n"
	}),
	cm("condarc channel", ".condarc", true, func(c string) string {
		return "channels:\n  - https://deploy:" + c + "@conda.example.com/shop\n  - conda-forge\n"
	}),
	cm("my.cnf client section", ".my.cnf", true, func(c string) string {
		return "[client]\nuser = backup\npassword = \"" + c + "\"\nhost = db\n\n[mysqldump]\nsingle-transaction\n"
	}),
)

var dotfileHarmless = harmlessSection("dotfiles",
	cmH(".npmrc", "registry=https://npm.example.com/\nalways-auth=true\n//npm.example.com/:_authToken=${NPM_TOKEN}\nfund=false\n"),
	cmH(".pypirc", "[distutils]\nindex-servers =\n    pypi\n\n[pypi]\nrepository = https://upload.packages.example/legacy/\nusername = __token__\n"),
	cmH(".gitconfig", "[credential]\n\thelper = store --file /run/secrets/git-credentials\n[url \"https://github.com/\"]\n\tinsteadOf = git@github.com:\n[core]\n\tsshCommand = ssh -i /run/secrets/deploy-key -o IdentitiesOnly=yes\n"),
	cmH("config.json", "{\"credsStore\": \"ecr-login\", \"credHelpers\": {\"123456789012.dkr.ecr.eu-west-1.amazonaws.com\": \"ecr-login\"}}"),
	cmH("ssh_config", "Host bastion\n  HostName 10.0.0.5\n  User ops\n  IdentityFile ~/.ssh/id_ed25519\n  IdentitiesOnly yes\n  StrictHostKeyChecking accept-new\n"),
	cmH("aws-config", "[profile prod]\nrole_arn = arn:aws:iam::123456789012:role/deploy\nsource_profile = default\nregion = eu-west-1\ncredential_process = /usr/local/bin/aws-vault exec prod --json\n"),
	cmH("kubeconfig", "apiVersion: v1\nkind: Config\nclusters:\n- name: prod\n  cluster:\n    server: https://prod.eks.example.com\nusers:\n- name: ci\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: aws\n      args: [eks, get-token, --cluster-name, prod]\ncontexts:\n- name: prod\n  context: {cluster: prod, user: ci}\ncurrent-context: prod\n"),
	cmH(".my.cnf", "[client]\nuser = app\nhost = db\nssl-mode = REQUIRED\n\n[mysqldump]\nsingle-transaction\nquick\n"),
	cmH(".curlrc", "user-agent = \"shop-bot/1.0\"\nconnect-timeout = 5\nretry = 3\n"),
	cmH(".wgetrc", "tries = 3\ntimeout = 20\nuser_agent = shop-bot\n"),
	cmH(".condarc", "channels:\n  - conda-forge\n  - defaults\nchannel_priority: strict\nalways_yes: true\n"),
	cmH(".terraformrc", "plugin_cache_dir = \"$HOME/.terraform.d/plugin-cache\"\ndisable_checkpoint = true\n"),
	cmH("pip.conf", "[global]\nindex-url = https://pypi.example.com/simple\ntrusted-host = pypi.example.com\ntimeout = 30\n"),
	cmH(".netrc", "machine api.example.com login ci\n").because("a netrc entry without a password: curl prompts or uses another source"),
	cmH("git-credentials-helper", "#!/bin/sh\necho username=ci\necho password=\"$(cat /run/secrets/git-token)\"\n"),
	cmH("known_hosts", "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\ngitlab.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAfuCHKVTjquxvt6CM6tdG4SLp1Btn/nOeHHE5UOzRdf\n"),
	cmH("ssh_known_hosts", "|1|F1E1KeoE/eEWhi10WpGv4OdiO6Y=|3988QV0VE8wmZL7suNrYQLITLCg= ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n@cert-authority *.example.com "+testSSHPub+"\n"),
	cmH(".docker-config.json", "{\"auths\": {\"registry.example.com\": {}}, \"HttpHeaders\": {\"User-Agent\": \"shop-ci\"}, \"psFormat\": \"table {{.ID}}\\t{{.Names}}\"}"),
	cmH("gitlab-runner.toml", "concurrent = 4\ncheck_interval = 3\n[[runners]]\n  name = \"k8s\"\n  url = \"https://gitlab.example.com\"\n  executor = \"kubernetes\"\n  [runners.kubernetes]\n    namespace = \"ci\"\n    image = \"alpine:3.20\"\n"),
)
