# `apachectl configtest` catches a wrong site or a bad directive value, and
# names the directive and the value; the shipped configuration passes.
use strict;
use warnings;
use Test::More;
use Cwiki::Httpd;
use Cwiki::Test qw(shipped_site);

my $site = shipped_site();

my ($rc, $out) = Cwiki::Httpd->new(root => $site)->configtest;
is($rc, 0, 'the shipped configuration passes configtest') or diag $out;
like($out, qr/Syntax OK/, 'apache2 says Syntax OK');

($rc, $out) = Cwiki::Httpd->new(root => '/nonexistent/foswiki')->configtest;
isnt($rc, 0, 'a missing root fails configtest');
like($out, qr{CwikiRoot /nonexistent/foswiki: the Foswiki root: No such file or directory},
     'the message names the directive and the path');

my $nodata = File::Temp::tempdir(CLEANUP => 1);
($rc, $out) = Cwiki::Httpd->new(root => $nodata)->configtest;
isnt($rc, 0, 'a root without data/ fails configtest');
like($out, qr{CwikiRoot \Q$nodata\E/data: its data directory: No such file}, 'and says which directory is missing');

my %bad = (
    'CwikiScriptUrlPath foswiki/bin'  => qr/CwikiScriptUrlPath "foswiki\/bin": must start with '\/'/,
    'CwikiPubUrlPath /foswiki/pub/'   => qr/CwikiPubUrlPath "\/foswiki\/pub\/": must not end with '\/'/,
    'CwikiViewUrlPath /a/../b'        => qr/CwikiViewUrlPath "\/a\/..\/b": must not contain/,
    'CwikiDefaultWeb lowercase'       => qr/CwikiDefaultWeb "lowercase": is not a valid Foswiki web name/,
    'CwikiDefaultTopic "Bad Topic"'   => qr/CwikiDefaultTopic "Bad Topic": is not a valid Foswiki topic name/,
    'CwikiMaxBodySize lots'           => qr/CwikiMaxBodySize "lots": must be a number of bytes/,
    'CwikiCacheSize -1'               => qr/CwikiCacheSize "-1": must be a number of megabytes/,
);
for my $line (sort keys %bad) {
    my $h = Cwiki::Httpd->new(root => $site, extra => "$line\n");
    ($rc, $out) = $h->configtest;
    isnt($rc, 0, "configtest refuses: $line");
    like($out, $bad{$line}, "with a clear message: $line");
}

my $h = Cwiki::Httpd->new(root => $site, extra => "CwikiViewUrlPath none\nCwikiMaxBodySize 1000\nCwikiCacheSize 8\n");
($rc, $out) = $h->configtest;
is($rc, 0, 'valid values pass') or diag $out;

done_testing;
