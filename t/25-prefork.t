# The module under the prefork MPM (Debian's default is event, which the other
# tests use): pages, errors, and no crashed worker.
use strict;
use warnings;
use Test::More;
use Cwiki::Test qw(shipped_site http start_httpd);

my $httpd = start_httpd(root => shipped_site(), mpm => 'prefork');
my $ua = http(keep_alive => 1);
for (1 .. 20) {
    is($ua->get($httpd->url('/foswiki/System/TextFormatting'))->{status}, 200, "view $_");
}
is($ua->get($httpd->url('/foswiki/Main/Bad%3BName'))->{status}, 400, 'a bad name is 400');
is($ua->get($httpd->url('/foswiki/Main/Missing'))->{status}, 404, 'a missing topic is 404');
is_deeply([$httpd->crashes], [], 'no worker crashed');
done_testing;
