#!/usr/bin/env bash
# install-real-stack - Debian's postfix, dovecot and swaks for `npm run conformance` and the tests
# that put real daemons beside the models; nginx with its mail module for the nginx differential;
# tcpdump and tshark for `smtp-lab record`, which makes the records in conformance/records again.
#
# Only packages are installed here. Each run writes its own configuration into a fresh lab
# directory (conformance/real-stack/config.ts and lab-dir.ts: every listener on 127.0.0.1, on
# ports the run chooses, all state under the lab directory, nothing under /etc) and starts and
# stops the daemons itself, by PID, so nothing is left configured or running on the machine.
set -euo pipefail

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

if command -v postfix >/dev/null && command -v dovecot >/dev/null && command -v swaks >/dev/null \
   && command -v ip >/dev/null && command -v ss >/dev/null && command -v tcpdump >/dev/null && command -v tshark >/dev/null \
   && [ -e /usr/lib/dovecot/modules/auth/libauthdb_lua.so ] && [ -e /usr/lib/dovecot/submission-login ] \
   && command -v nginx >/dev/null && [ -e /usr/lib/nginx/modules/ngx_mail_module.so ] \
   && perl -MIO::Socket::SSL -e1 2>/dev/null; then
  echo "== real stack already installed"
else
  # Keep the maintainer scripts from starting the daemons with Debian's stock configuration
  # (which listens on every interface); remove only a policy file this script created.
  created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod 755 /usr/sbin/policy-rc.d
    created_policy=1
  fi
  echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get -o DPkg::Lock::Timeout=900 update -q
  $SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends \
    postfix dovecot-core dovecot-submissiond dovecot-auth-lua swaks libnet-ssleay-perl libio-socket-ssl-perl \
    nginx libnginx-mod-mail \
    iproute2 procps openssl tcpdump tshark
  if [ "$created_policy" = 1 ]; then $SUDO rm -f /usr/sbin/policy-rc.d; fi
fi

echo "== real stack: $(postconf -h -d mail_version) / dovecot $(dovecot --version) / $(nginx -v 2>&1) / $(swaks --version 2>&1 | head -1)"
