# Revisions written by Foswiki (PlainFileStore) and by GNU RCS, served by
# view?rev=N, as ../shared/foswiki-history/EXPECT.tsv lists them.  Skipped
# when ../shared is absent.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use Cwiki::Test qw(shared_dir http start_httpd);

my $shared = shared_dir() or plan skip_all => 'no ../shared beside the checkout';
my $hist = "$shared/foswiki-history";
plan skip_all => 'no foswiki-history fixtures' unless -f "$hist/EXPECT.tsv";

# A copy of the stock tree with the history fixtures laid over it (cp -a
# keeps the mtimes that revision numbering depends on).
my $root = tempdir(CLEANUP => 1);
chmod 0755, $root;
system('cp', '-a', "$shared/foswiki/data", "$root/") == 0 or die;
system('cp', '-a', "$hist/data", "$hist/pub", "$root/") == 0 or die;
system('chmod', '-R', 'u+w,a+rX', $root) == 0 or die;

my $httpd = start_httpd(root => $root);
my $ua = http();
open(my $fh, '<', "$hist/EXPECT.tsv") or die;
my $n = 0;
while (my $line = <$fh>) {
    chomp $line;
    next unless $line =~ /\t/;
    my ($path, $want) = split /\t/, $line, 2;
    my $r = $ua->get($httpd->url($path));
    is($r->{status}, 200, "$path answers");
    like($r->{content}, qr/\Q$want\E/, "$path contains $want");
    $n++;
}
ok($n >= 8, "all $n expectations checked");

# Each revision shows only its own marker.
for my $rev (1 .. 3) {
    my $c = $ua->get($httpd->url("/foswiki/Sandbox/HistoryFixture?rev=$rev&skin=text"))->{content};
    my @others = grep { $_ != $rev } 1 .. 3;
    unlike($c, qr/HISTREV$_\b/, "rev $rev does not show HISTREV$_") for @others;
}
is($ua->get($httpd->url('/foswiki/Sandbox/HistoryFixture?rev=1.2&skin=text'))->{content} =~ /HISTREV2/ ? 1 : 0,
   1, 'rev=1.2 is revision 2, as Foswiki reads it');
is_deeply([$httpd->crashes], [], 'no worker crashed');
done_testing;
