# Helpers for the integration tests: a copy of the shipped site, an HTTP
# client, and a started httpd.
package Cwiki::Test;

use strict;
use warnings;

use Exporter 'import';
use File::Temp qw(tempdir);
use HTTP::Tiny;
use Cwiki::Httpd;

our @EXPORT_OK = qw(shipped_site shared_dir http start_httpd);

# A private copy of the site in share/, which tests may change.
sub shipped_site {
    my $dir = tempdir('cwiki-site-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    chmod 0755, $dir;
    my $share = "$Cwiki::Httpd::REPO/share";
    system('cp', '-R', "$share/data", "$share/pub", "$share/robots.txt", "$dir/") == 0
      or die "copy of share/ failed\n";
    system('chmod', '-R', 'a+rX', $dir);
    return $dir;
}

# ../shared beside the checkout (or $CWIKI_SHARED), or undef when absent.
sub shared_dir {
    my $d = $ENV{CWIKI_SHARED} // "$Cwiki::Httpd::REPO/../shared";
    return -d "$d/foswiki/data" ? $d : undef;
}

sub http {
    my %o = @_;
    return HTTP::Tiny->new(agent => 'cwiki-tests/1', timeout => 30, max_redirect => 0, %o);
}

sub start_httpd {
    my %o = @_;
    my $h = Cwiki::Httpd->new(%o);
    $h->start;
    return $h;
}

1;
