# The run command: lays out the shipped site in an empty or missing folder,
# serves an existing Foswiki root untouched, refuses a folder that is neither,
# and leaves nothing running after SIGTERM.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use POSIX qw(:sys_wait_h);
use Time::HiRes qw(sleep time);
use Cwiki::Httpd;
use Cwiki::Test qw(http shipped_site);

my $script = "$Cwiki::Httpd::REPO/t/bin/cwiki-httpd";
my $tmp = tempdir(CLEANUP => 1);
chmod 0755, $tmp;

# Starts the run command; returns (pid, port, output file).
sub run_cmd {
    my ($root) = @_;
    my $port = Cwiki::Httpd::free_port();
    my $out = "$tmp/out.$port";
    my $pid = fork() // die;
    if ($pid == 0) {
        setpgrp(0, 0);
        open(STDOUT, '>', $out);
        open(STDERR, '>&', \*STDOUT);
        exec($^X, $script, 'run', '--port', $port, '--root', $root) or POSIX::_exit(127);
    }
    return ($pid, $port, $out);
}

sub wait_up {
    my ($port, $pid) = @_;
    my $deadline = time + 20;
    while (time < $deadline) {
        my $r = http()->get("http://127.0.0.1:$port/foswiki/");
        return $r if $r->{status} != 599;
        return undef if waitpid($pid, WNOHANG) == $pid;
        sleep 0.1;
    }
    return undef;
}

# Something still answering on the port means something was left behind.
sub listening {
    my ($port) = @_;
    return IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Timeout => 1) ? 1 : 0;
}

sub stop_and_check {
    my ($pid, $port, $what, $out) = @_;
    kill 'TERM', $pid;
    my $deadline = time + 15;
    my $gone = 0;
    while (time < $deadline) {
        if (waitpid($pid, WNOHANG) == $pid) { $gone = 1; last }
        sleep 0.1;
    }
    ok($gone, "$what: SIGTERM stops the run command") or diag `cat $out; ps -ef`;
    ok(!listening($port), "$what: nothing is left listening on the port");
    my @left = grep { /cwiki-httpd-/ } `ps -eo args`;
    is(scalar(@left), 0, "$what: no httpd is left running") or diag @left;
}

# 1. A missing folder gets the shipped site.
my $fresh = "$tmp/new-site";
my ($pid, $port, $out) = run_cmd($fresh);
my $r = wait_up($port, $pid);
ok($r && $r->{status} == 200, 'a missing folder: the front page answers') or diag `cat $out`;
like($r ? $r->{content} : '', qr/Welcome to mod_cwiki/, 'with the shipped Main.WebHome');
ok(-f "$fresh/data/Main/WebHome.txt" && -f "$fresh/data/System/WebPreferences.txt",
   'the shipped site was laid out in the folder');
stop_and_check($pid, $port, 'missing folder', $out);

# 2. An existing Foswiki root is served as it is.
my $existing = shipped_site();
open(my $fh, '>', "$existing/data/Main/WebHome.txt") or die;
print $fh "%META:TOPICINFO{author=\"x\" date=\"1\" format=\"1.1\" version=\"1\"}%\nThis site is my own.\n";
close $fh;
my @before = `find $existing -type f -printf '%p %s %T@\n' | sort`;
($pid, $port, $out) = run_cmd($existing);
$r = wait_up($port, $pid);
like($r ? $r->{content} : '', qr/This site is my own/, 'an existing root is served as it is') or diag `cat $out`;
stop_and_check($pid, $port, 'existing root', $out);
my @after = `find $existing -type f -printf '%p %s %T@\n' | sort`;
is_deeply(\@after, \@before, 'and not a file of it was changed');

# 3. A folder that is neither empty nor a Foswiki root is refused.
my $junk = "$tmp/junk";
mkdir $junk;
open($fh, '>', "$junk/precious.txt") or die;
print $fh "keep me\n";
close $fh;
($pid, $port, $out) = run_cmd($junk);
waitpid($pid, 0);
isnt($? >> 8, 0, 'a non-empty folder without data/ is refused');
like(`cat $out`, qr/neither a Foswiki root.*nor empty/, 'with a message saying why');
ok(!-e "$junk/data", 'and nothing was written there');

done_testing;
