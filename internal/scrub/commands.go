package scrub

import (
	"path"
	"strings"
)

// cli describes where a well-known command line tool takes credentials, beyond the --password /
// --token style flags every tool's arguments are already searched for.
type cli struct {
	// flags take a credential as their value, attached (-aX, -a=X) or as the next argument.
	flags []string
	// attached take a credential only attached (mysql -pX: "-p X" prompts, X is a database).
	attached []string
	// userPass flags hold user<sep>password; only what follows sep is secret.
	userPass map[string]byte
	// after maps a (sub)command word to the positions of the credentials among the positional
	// arguments that follow it (-1: every one).
	after map[string][]int
	// prefixed are value prefixes after which the rest is a credential (openssl's pass:X).
	prefixed []string
	// only, when set, is the subcommand the flags belong to: docker login -p is a password,
	// docker run -p a port.
	only string
}

// knownCLIs are command line tools that take credentials in ways their flag names do not say.
var knownCLIs = map[string]cli{
	"mysql":         {attached: []string{"-p"}},
	"mysqldump":     {attached: []string{"-p"}},
	"mariadb":       {attached: []string{"-p"}},
	"mysqladmin":    {attached: []string{"-p"}, after: map[string][]int{"password": {0}}},
	"redis-cli":     {flags: []string{"-a", "--pass", "--askpass"}, after: map[string][]int{"auth": {-1}}},
	"curl":          {userPass: map[string]byte{"-u": ':', "--user": ':', "-U": ':', "--proxy-user": ':'}, flags: []string{"--oauth2-bearer"}},
	"wget":          {userPass: map[string]byte{"--user": 0}, flags: []string{"--password"}},
	"sshpass":       {flags: []string{"-p"}},
	"docker":        {flags: []string{"-p"}, only: "login"},
	"podman":        {flags: []string{"-p"}, only: "login"},
	"buildah":       {flags: []string{"-p"}, only: "login"},
	"skopeo":        {flags: []string{"-p"}, only: "login"},
	"helm":          {flags: []string{"-p"}, only: "login"},
	"nerdctl":       {flags: []string{"-p"}, only: "login"},
	"crane":         {flags: []string{"-p"}, only: "login"},
	"oras":          {flags: []string{"-p"}, only: "login"},
	"htpasswd":      {after: map[string][]int{"-b": {2}, "-bc": {2}, "-cb": {2}, "-bB": {2}, "-Bb": {2}, "-bcB": {2}, "-Bbc": {2}}},
	"openssl":       {flags: []string{"-k"}, prefixed: []string{"pass:"}},
	"keytool":       {flags: []string{"-storepass", "-keypass", "-srcstorepass", "-deststorepass", "-srckeypass", "-destkeypass", "-new"}},
	"zip":           {flags: []string{"-P"}},
	"unzip":         {flags: []string{"-P"}},
	"7z":            {attached: []string{"-p"}},
	"sqlcmd":        {flags: []string{"-P"}},
	"bcp":           {flags: []string{"-P"}},
	"mongo":         {flags: []string{"-p"}},
	"mongosh":       {flags: []string{"-p"}},
	"mongodump":     {flags: []string{"-p"}},
	"ldapsearch":    {flags: []string{"-w"}},
	"ldapadd":       {flags: []string{"-w"}},
	"ldapmodify":    {flags: []string{"-w"}},
	"ldapdelete":    {flags: []string{"-w"}},
	"smbclient":     {userPass: map[string]byte{"-U": '%', "--user": '%'}},
	"lftp":          {userPass: map[string]byte{"-u": ','}},
	"vault":         {after: map[string][]int{"login": {0}}},
	"rabbitmqctl":   {after: map[string][]int{"add_user": {1}, "change_password": {1}, "authenticate_user": {1}}},
	"mc":            {after: map[string][]int{"set": {2, 3}, "add": {2, 3}}},
	"psql":          {},
	"az":            {flags: []string{"-p", "--password"}, only: "login"},
	"mosquitto_pub": {flags: []string{"-P", "--pw"}},
	"mosquitto_sub": {flags: []string{"-P", "--pw"}},
	// Tools whose credentials only the generic rule finds (aws configure set
	// aws_secret_access_key X, npm config set //registry/:_authToken X).
	"aws": {}, "npm": {}, "yarn": {}, "pnpm": {}, "git": {}, "kubectl": {}, "gcloud": {},
}

// wrappers run the command that follows them.
var wrappers = map[string]bool{"env": true, "sudo": true, "exec": true, "nohup": true, "time": true, "command": true, "xargs": true}

// credArg is a credential inside argument index: argv[index][start:end], judged under name.
type credArg struct {
	index, start, end int
	name              string
}

// commandCredentials finds the credentials of a command line by what its command is known to
// take (mysql -pX, redis-cli -a X, curl -u user:X, sshpass -p X, docker login -p X, htpasswd -b
// file user X, openssl -passin pass:X, rabbitmqctl add_user u X, vault login X, ...), and
// positional values following an argument that names a secret (aws configure set
// aws_secret_access_key X). literal[i] is false for arguments that are not literal text (a
// variable, a command substitution): those are references and never credentials.
func commandCredentials(argv []string, literal []bool) []credArg {
	i := 0
	for i < len(argv) && (wrappers[path.Base(argv[i])] || isAssignment(argv[i]) || (i > 0 && argv[i-1] == "timeout")) {
		i++
	}
	if i >= len(argv) {
		return nil
	}
	spec := knownCLIs[path.Base(argv[i])]
	var out []credArg
	positional, anchor := 0, ""
	active := spec.only == ""
	for j := i + 1; j < len(argv); j++ {
		a := argv[j]
		if !literal[j] {
			continue
		}
		if a == spec.only {
			active = true
			continue
		}
		if c, next, ok := spec.flagCredential(argv, literal, j); ok && active {
			// A credential flag whose value is itself a credential flag (`redis-cli -a -a X`):
			// parsers differ on which word is the password, so the second flag is read as a
			// flag too and what follows it is replaced (the loop's j++ reaches it).
			if next > j && strings.HasPrefix(argv[next], "-") {
				if _, _, again := spec.flagCredential(argv, literal, next); again {
					continue
				}
			}
			out = append(out, c)
			j = next
			continue
		}
		for _, p := range spec.prefixed {
			if strings.HasPrefix(a, p) && len(a) > len(p) {
				out = append(out, credArg{j, len(p), len(a), p})
			}
		}
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			if _, ok := spec.after[a]; ok {
				anchor, positional = a, 0
			}
			continue
		}
		if pos, ok := spec.after[anchor]; ok && anchor != "" && wantsPosition(pos, positional) {
			out = append(out, credArg{j, 0, len(a), anchor})
		}
		if _, ok := spec.after[strings.ToLower(a)]; ok && anchor == "" {
			anchor, positional = strings.ToLower(a), 0
			continue
		}
		positional++
		if namesSecretArg(a) && j+1 < len(argv) && literal[j+1] && !strings.HasPrefix(argv[j+1], "-") {
			out = append(out, credArg{j + 1, 0, len(argv[j+1]), a})
			j++
		}
	}
	return out
}

func wantsPosition(pos []int, n int) bool {
	for _, p := range pos {
		if p == -1 || p == n {
			return true
		}
	}
	return false
}

// flagCredential recognises the credential flags of spec at argv[j]: it returns the credential
// and the index of the last argument it used.
func (spec cli) flagCredential(argv []string, literal []bool, j int) (credArg, int, bool) {
	a := argv[j]
	for _, f := range spec.attached {
		if strings.HasPrefix(a, f) && len(a) > len(f) {
			return credArg{j, len(f), len(a), f}, j, true
		}
	}
	for _, f := range spec.flags {
		switch {
		case a == f && j+1 < len(argv) && literal[j+1]:
			return credArg{j + 1, 0, len(argv[j+1]), f}, j + 1, true
		case strings.HasPrefix(a, f+"="):
			return credArg{j, len(f) + 1, len(a), f}, j, true
		case len(f) == 2 && strings.HasPrefix(a, f) && len(a) > 2:
			return credArg{j, 2, len(a), f}, j, true
		}
	}
	for f, sep := range spec.userPass {
		var val string
		idx, off := j, 0
		switch {
		case a == f && j+1 < len(argv) && literal[j+1]:
			idx, val = j+1, argv[j+1]
		case strings.HasPrefix(a, f+"="):
			off, val = len(f)+1, a[len(f)+1:]
		case len(f) == 2 && strings.HasPrefix(a, f) && len(a) > 2:
			off, val = 2, a[2:]
		default:
			continue
		}
		if sep == 0 {
			continue // the user alone: not secret
		}
		if k := strings.IndexByte(val, sep); k >= 0 && k+1 < len(val) {
			return credArg{idx, off + k + 1, off + len(val), "password"}, idx, true
		}
		return credArg{}, idx, false
	}
	return credArg{}, j, false
}

// isAssignment: a VAR=value word before a command.
func isAssignment(a string) bool {
	eq := strings.IndexByte(a, '=')
	if eq <= 0 {
		return false
	}
	for i := 0; i < eq; i++ {
		if c := a[i]; !isAlnum(c) && c != '_' {
			return false
		}
	}
	return true
}

// namesSecretArg: a positional argument that is a setting's name naming a secret, written as a
// key (aws_secret_access_key, //registry/:_authToken), followed by its value. Single words
// ("secret" in kubectl get secret x) are subcommands, not names.
func namesSecretArg(a string) bool {
	if directiveSecrets[strings.ToLower(a)] {
		return true
	}
	if (strings.HasPrefix(a, "/") && !strings.HasPrefix(a, "//")) || strings.HasPrefix(a, "./") || strings.HasPrefix(a, "~/") {
		return false // a file (/etc/nginx/.htpasswd), not a setting
	}
	return len(keyWords(a)) >= 2 && IsSensitiveKey(a) && !referenceKey(a) && !strings.ContainsAny(a, "= \t")
}
